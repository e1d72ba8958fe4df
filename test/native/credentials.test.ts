// Credentials, umask, rlimits, no_new_privs, cgroup and the death signal, observed from outside
// the child (/proc/PID/status, /proc/PID/limits, /proc/PID/cgroup).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../lib/native.js';
import { isAlive, isRoot, killAll, readStatus, waitUntil, withDeadline } from '../helpers/proc.js';
import { fixtureReport, runFixture, spawnNative, type NativeChild } from '../helpers/native.js';

const RLIMIT_CORE = 4;
const RLIMIT_NOFILE = 7;

/** The cgroup v2 mount point, from /proc/self/mountinfo (never assume a path). */
function cgroup2Mount(): string | null {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] === 'cgroup2') return left?.split(' ')[4] ?? null;
  }
  return null;
}

/** The soft and hard values of one row of /proc/PID/limits. */
function limitRow(pid: number, title: string): [string, string] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith(title));
  const fields = line?.slice(26).trim().split(/\s+/) ?? [];
  return [fields[0] ?? '', fields[1] ?? ''];
}

describe('native spawn: credentials and limits', { timeout: 60_000 }, () => {
  const started: NativeChild[] = [];
  after(() => killAll(started.map((c) => c.pid)));
  const sleeper = (overrides: Parameters<typeof spawnNative>[1]) => {
    const child = spawnNative(['sleep', '30'], overrides);
    started.push(child);
    return child;
  };

  test('uid, gid, groups', (t) => {
    if (!isRoot) return t.skip('changing uid/gid/groups needs root');
    const child = sleeper({ uid: 65534, gid: 65533, groups: [100, 200] });
    const status = readStatus(child.pid);
    assert.deepEqual(status.get('Uid')?.split(/\s+/), ['65534', '65534', '65534', '65534']);
    assert.deepEqual(status.get('Gid')?.split(/\s+/), ['65533', '65533', '65533', '65533']);
    assert.equal(status.get('Groups'), '100 200');
  });

  test('an empty group list clears the supplementary groups', (t) => {
    if (!isRoot) return t.skip('setgroups needs root');
    const child = sleeper({ groups: [] });
    assert.equal(readStatus(child.pid).get('Groups') ?? '', '');
  });

  test('umask, rlimits, no_new_privs', () => {
    const child = sleeper({
      umask: 0o027,
      rlimits: [[RLIMIT_NOFILE, 100, 200], [RLIMIT_CORE, 0, Infinity]],
      noNewPrivs: true,
    });
    const status = readStatus(child.pid);
    assert.equal(status.get('Umask'), '0027');
    assert.equal(status.get('NoNewPrivs'), '1');
    assert.deepEqual(limitRow(child.pid, 'Max open files'), ['100', '200']);
    assert.deepEqual(limitRow(child.pid, 'Max core file size'), ['0', 'unlimited']);
  });

  test('cgroup: the child joins the cgroup before exec', async (t) => {
    const mount = cgroup2Mount();
    if (mount === null) return t.skip('no cgroup2 mount in /proc/self/mountinfo');
    const name = `procctl-test-${process.pid}`;
    const path = join(mount, name);
    try {
      mkdirSync(path);
    } catch (error) {
      return t.skip(`cgroup2 at ${mount} is not writable: ${(error as Error).message}`);
    }
    try {
      const child = spawnNative(['sleep', '30'], { cgroup: path });
      try {
        const line = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
        assert.ok(line?.endsWith(`/${name}`), `cgroup line ${line}`);
      } finally {
        native().signal(child.id, 9);
        await withDeadline(child.exited, 10_000, 'cgroup child exit');
      }
    } finally {
      rmdirSync(path); // only possible once the cgroup is empty
    }
  });

  test('a missing cgroup fails at stage cgroup with the path', () => {
    const path = '/nonexistent/procctl-cgroup';
    assert.throws(() => spawnNative(['true'], { cgroup: path }), (error: Error & { stage?: string; path?: string; code?: string }) => {
      assert.equal(error.stage, 'cgroup');
      assert.equal(error.path, path);
      assert.equal(error.code, 'ENOENT');
      return true;
    });
  });

  test('deathSignal: the child dies with its parent', async () => {
    const result = await runFixture('death-parent');
    const { pid } = fixtureReport<{ pid: number }>(result);
    try {
      await waitUntil(() => !isAlive(pid), 5000, `sleeper ${pid} to die with its parent`);
    } finally {
      killAll([pid]);
    }
  });

  test('every sleeper exit is reported', async () => {
    for (const child of started) native().signal(child.id, 9);
    await withDeadline(Promise.all(started.map((c) => c.exited)), 10_000, 'exits');
  });
});

// procctl-init in contained mode on its own (native/init/init.c): the status record, exiting like the
// command, the control pipe, supervisor-death detection, and the race where the supervisor is
// gone before the reaper armed its parent-death signal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateReaper } from '../../lib/supervisor/reaper-client.js';
import { waitUntil, withDeadline } from '../helpers/proc.js';
import { childExit, killMarked, marker, reaperMissing, withMarker } from '../helpers/supervisor.js';

/** Run the reaper as our child with a status record on fd 3 (and a control socket on fd 4). */
function startReaper(command: string[], grace = 2000) {
  const args = ['-p', String(process.pid), '-s', '3', '-c', '4', '-g', String(grace), '--', ...command];
  const child = spawn(locateReaper()!, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
  let record = '';
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (s: string) => (record += s));
  const finished = childExit(child).then(async (status) => {
    await new Promise((r) => setImmediate(r));
    return { ...status, record: record === '' ? null : (JSON.parse(record) as Record<string, unknown>) };
  });
  return { child, control: child.stdio[4] as NodeJS.WritableStream, finished };
}

const escapeeTree = (escapee: string, own: string): string[] =>
  ['sh', '-c', `trap 'exit 9' USR1; setsid sh -c 'trap "exit 0" USR1; sleep ${escapee} & wait' & sleep ${own} & wait`];

describe('procctl-reaper', { timeout: 60_000 }, () => {
  test('exits like the command and reports it with the tree rusage', async (t) => {
    if (reaperMissing()) return t.skip(reaperMissing()!);
    const coded = await withDeadline(startReaper(['sh', '-c', 'exit 3']).finished, 10_000, 'reaper');
    assert.equal(coded.code, 3);
    assert.deepEqual(Object.keys(coded.record!).sort(), ['code', 'coreDumped', 'execErrno', 'maxRssKb', 'pid', 'reaped', 'signal', 'systemCpuMs', 'userCpuMs']);
    assert.equal(coded.record!.code, 3);
    assert.ok((coded.record!.reaped as number) >= 1);
    const signalled = await withDeadline(startReaper(['sh', '-c', 'kill -TERM $$']).finished, 10_000, 'reaper');
    assert.equal(signalled.signal, 'SIGTERM');
    assert.deepEqual([signalled.record!.code, signalled.record!.signal], [null, 15]);
    const missing = await withDeadline(startReaper(['/nonexistent/tool']).finished, 10_000, 'reaper');
    assert.equal(missing.code, 127);
    assert.equal(missing.record!.execErrno, 2);
  });

  test('control pipe: "signal N" reaches the whole subtree, escapee included', async (t) => {
    if (reaperMissing()) return t.skip(reaperMissing()!);
    const [escapee, own] = [marker(), marker()];
    const reaper = startReaper(escapeeTree(escapee, own));
    try {
      await waitUntil(() => withMarker(escapee).length === 1 && withMarker(own).length === 1, 5000, 'the tree');
      reaper.control.write('signal 10\n');
      const result = await withDeadline(reaper.finished, 10_000, 'reaper');
      assert.equal(result.code, 9, 'the command got USR1');
      assert.deepEqual([...withMarker(escapee), ...withMarker(own)], []);
    } finally {
      reaper.child.kill('SIGKILL');
      killMarked([escapee, own]);
    }
  });

  for (const how of ['kill', 'EOF'] as const) {
    test(`control pipe: ${how === 'kill' ? '"kill"' : 'EOF (the supervisor is gone)'} SIGKILLs the whole subtree`, async (t) => {
      if (reaperMissing()) return t.skip(reaperMissing()!);
      const [escapee, own] = [marker(), marker()];
      const reaper = startReaper(['sh', '-c', `trap '' TERM; setsid sh -c 'trap "" TERM; sleep ${escapee}' & sleep ${own}`]);
      try {
        await waitUntil(() => withMarker(escapee).length === 1 && withMarker(own).length === 1, 5000, 'the tree');
        if (how === 'kill') reaper.control.write('kill\n');
        else reaper.control.end();
        const result = await withDeadline(reaper.finished, 10_000, 'reaper');
        assert.equal(result.signal, 'SIGKILL', 'the command was killed, and the reaper exits the same way');
        assert.deepEqual([...withMarker(escapee), ...withMarker(own)], []);
      } finally {
        reaper.child.kill('SIGKILL');
        killMarked([escapee, own]);
      }
    });
  }

  test('a supervisor already gone before the parent-death signal was armed: the command never starts', (t) => {
    if (reaperMissing()) return t.skip(reaperMissing()!);
    const dir = mkdtempSync(join(tmpdir(), 'procctl-reaper-'));
    try {
      // -p names a process that is not our parent: exactly what getppid() shows after the race.
      const result = spawnSync(locateReaper()!, ['-p', '1', '--', 'touch', join(dir, 'ran')], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(result.status, 125);
      assert.match(result.stderr, /supervisor 1 is gone/);
      assert.equal(existsSync(join(dir, 'ran')), false);
      const usage = spawnSync(locateReaper()!, ['-p', 'x', '--', 'true'], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(usage.status, 125);
      assert.match(usage.stderr, /^procctl: -p must be a non-negative integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

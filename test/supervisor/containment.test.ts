// Containment of an escapee: a descendant that leaves its group and session (setsid) and is
// orphaned (double fork). contain 'group' cannot hold it (documented; the test kills it after);
// 'reaper' and 'cgroup' leave nothing behind on terminate, and 'reaper' leaves nothing behind
// even when the supervisor process itself is SIGKILLed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as nodeSpawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Supervisor, type ContainMode } from '../../lib/supervisor/supervisor.js';
import { isAlive, killGroupQuietly, readStat, readStatus, waitUntil, withDeadline } from '../helpers/proc.js';
import {
  cgroupMissing, childExit, killMarked, marker, nextLine, reaperMissing, startSupervisorScript, withMarker,
} from '../helpers/supervisor.js';

/** sh that starts an escapee (own session, orphaned at once), then a marked sleep of its own. */
function escapeeScript(escapee: string, own: string): string[] {
  return ['-c', `setsid sh -c 'sleep ${escapee} &' & sleep ${own} & echo up; wait`];
}

async function waitMarked(mark: string): Promise<number> {
  await waitUntil(() => withMarker(mark).length > 0, 5000, `a process with ${mark}`);
  return withMarker(mark)[0]!;
}

function skipReason(mode: ContainMode): string | null {
  if (mode === 'reaper') return reaperMissing();
  if (mode === 'cgroup') return cgroupMissing();
  return null;
}

describe('containment of an escapee on terminate', { timeout: 60_000 }, () => {
  for (const mode of ['group', 'reaper', 'cgroup'] as const) {
    test(`contain: '${mode}'`, async (t) => {
      const why = skipReason(mode);
      if (why !== null) return t.skip(why);
      const escapee = marker();
      const own = marker();
      const supervisor = new Supervisor({
        children: [{ name: 'esc', file: 'sh', args: escapeeScript(escapee, own), contain: mode, stopTimeout: 2000, restart: 'never' }],
      });
      let pgid = 0;
      supervisor.on('start', (e) => (pgid = e.pgid));
      try {
        await supervisor.start();
        const escapeePid = await waitMarked(escapee);
        await waitMarked(own);
        assert.notEqual(readStat(escapeePid).sid, readStat(supervisor.status()[0]!.pid!).sid, 'the escapee left the session');
        await withDeadline(supervisor.stop(), 15_000, 'stop');
        assert.deepEqual(withMarker(own), [], 'the child\'s own descendant is gone');
        if (mode === 'group') {
          // A process group cannot hold a process that called setsid(): it survives the stop.
          assert.ok(isAlive(escapeePid), 'with contain: group the escapee survives (documented)');
        } else {
          assert.deepEqual(withMarker(escapee), [], `contain: ${mode} leaves nothing behind`);
        }
      } finally {
        killGroupQuietly(pgid);
        killMarked([escapee, own]);
      }
    });
  }

  test('the reaper sums the rusage of the whole tree and stays small', async (t) => {
    const why = reaperMissing();
    if (why !== null) return t.skip(why);
    const own = marker();
    // Two CPU-burning grandchildren, one orphaned; the command itself does nothing.
    const burn = 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done';
    const supervisor = new Supervisor({
      children: [{ name: 'tree', file: 'sh', args: ['-c', `(${burn}) & setsid sh -c '${burn}' & sleep ${own}`], contain: 'reaper', restart: 'never' }],
    });
    try {
      await supervisor.start();
      const reaperPid = supervisor.status()[0]!.pid!;
      const rssKb = Number(readStatus(reaperPid).get('VmRSS')!.split(/\s+/)[0]);
      assert.ok(rssKb < 2048, `reaper RSS ${rssKb} kB < 2 MB`);
      await waitMarked(own);
      // Let the burners finish, then end the command; the record covers every reaped process.
      await new Promise((r) => setTimeout(r, 1500));
      const ownPid = withMarker(own)[0]!;
      process.kill(ownPid, 'SIGTERM');
      await withDeadline(new Promise((r) => supervisor.once('exit', r)), 10_000, 'exit');
      const exit = supervisor.status()[0]!.lastExit!;
      assert.equal(exit.signal, null);
      assert.equal(exit.code, 143, 'sh reports its child killed by TERM');
      assert.ok(exit.rusage.userCpuMs + exit.rusage.systemCpuMs > 50, `tree CPU ${exit.rusage.userCpuMs} ms`);
    } finally {
      await supervisor.stop();
      killMarked([own]);
    }
  });
});

describe('reaper containment next to node:child_process', { timeout: 30_000 }, () => {
  test('children of node:child_process keep their exit events (the reaper reaps only its own)', async (t) => {
    const why = reaperMissing();
    if (why !== null) return t.skip(why);
    const supervisor = new Supervisor({
      children: [{ name: 'r', file: 'sh', args: ['-c', 'for i in 1 2 3 4 5; do (sleep 0.05 &); done; sleep 0.3; exit 2'], contain: 'reaper', restart: 'never' }],
    });
    try {
      await supervisor.start();
      const plain = nodeSpawn('sh', ['-c', 'sleep 0.2; exit 6']);
      const [plainExit] = await withDeadline(Promise.all([
        childExit(plain),
        new Promise((r) => supervisor.once('exit', r)),
      ]), 10_000, 'both exits');
      assert.deepEqual(plainExit, { code: 6, signal: null });
      assert.equal(supervisor.status()[0]!.lastExit?.code, 2);
    } finally {
      await supervisor.stop();
    }
  });
});

describe('containment when the supervisor process is SIGKILLed', { timeout: 60_000 }, () => {
  for (const mode of ['reaper', 'group'] as const) {
    test(`contain: '${mode}'`, async (t) => {
      const why = skipReason(mode);
      if (why !== null) return t.skip(why);
      const escapee = marker();
      const own = marker();
      const child = startSupervisorScript(`
        const s = new Supervisor({ children: [{ name: 'esc', file: 'sh', args: ${JSON.stringify(escapeeScript(escapee, own))}, contain: '${mode}', options: { stdio: ['ignore', 'pipe', 'inherit'] } }] });
        s.on('start', (e) => e.process.stdout.once('data', () => console.log('ready ' + e.pgid)));
        await s.start();
      `);
      let pgid = 0;
      try {
        pgid = Number((await withDeadline(nextLine(child.lines, 'ready'), 10_000, 'ready')).split(' ')[1]);
        const escapeePid = await waitMarked(escapee);
        const ownPid = await waitMarked(own);
        child.kill('SIGKILL');
        await withDeadline(childExit(child), 10_000, 'supervisor death');
        if (mode === 'reaper') {
          // Dead, not merely past the point where an exiting process's cmdline reads empty.
          await waitUntil(() => !isAlive(escapeePid) && !isAlive(ownPid), 10_000, 'the subtree to be killed');
          assert.deepEqual(withMarker(escapee), []);
          assert.deepEqual(withMarker(own), []);
        } else {
          // Nothing watches a plain group once its supervisor is gone: everything survives.
          await new Promise((r) => setTimeout(r, 300));
          assert.ok(isAlive(escapeePid), 'with contain: group the escapee survives the supervisor (documented)');
        }
      } finally {
        child.kill('SIGKILL');
        if (pgid > 0) killGroupQuietly(pgid);
        killMarked([escapee, own]);
      }
    });
  }
});

describe('cgroup containment housekeeping', { timeout: 30_000 }, () => {
  test('the cgroup is removed after the child exits', async (t) => {
    const why = cgroupMissing();
    if (why !== null) return t.skip(why);
    const supervisor = new Supervisor({ children: [{ name: 'cg', file: 'true', contain: 'cgroup', restart: 'never' }] });
    const prefix = `procctl-${process.pid}-cg-`;
    const { resolveCgroupParent } = await import('../../lib/supervisor/cgroup.js');
    const parent = resolveCgroupParent(null);
    try {
      await supervisor.start();
      await withDeadline(new Promise((r) => supervisor.once('exit', r)), 10_000, 'exit');
      assert.equal(supervisor.status()[0]!.lastExit?.code, 0);
      assert.deepEqual(readdirSync(parent).filter((n) => n.startsWith(prefix)), []);
      assert.equal(existsSync(parent), true);
    } finally {
      await supervisor.stop();
    }
  });
});

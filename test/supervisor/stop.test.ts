// Ordered start, reverse-ordered graceful stop (stop signal → grace → SIGKILL on the whole group,
// done when the group is empty), and forwarding of the supervisor process's own signals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor, type ExitEvent, type StartEvent, type SupervisorOptions } from '../../lib/supervisor/supervisor.js';
import { groupMembers, isAlive, killGroupQuietly, readStat, waitUntil, withDeadline } from '../helpers/proc.js';
import { childExit, killMarked, marker, nextLine, startSupervisorScript, withMarker } from '../helpers/supervisor.js';

/** A child that logs "NAME got TERM" to a file and exits after `linger` seconds. */
function logger(name: string, log: string, linger = '0') {
  return {
    name,
    file: 'sh',
    args: ['-c', `trap 'echo ${name} >> ${log}; sleep ${linger}; exit 0' TERM; echo started; while :; do sleep 0.05; done`],
    options: { stdio: ['ignore', 'pipe', 'inherit'] as const },
    stopTimeout: 5000,
  };
}

/** Wait until every started child has printed its first line (its TERM trap is installed). */
function waitReady(supervisor: Supervisor, count: number): Promise<void> {
  let ready = 0;
  return withDeadline(new Promise<void>((resolve) => {
    supervisor.on('start', ({ process: child }: StartEvent) => {
      child.stdout!.once('data', () => ++ready === count && resolve());
    });
  }), 10_000, 'children ready');
}

/**
 * A Supervisor whose children each print a line once their traps are set, and the pgids it
 * started (for cleanup, filled in as children start). start() resolves once every child is ready.
 */
function supervise(options: SupervisorOptions): { supervisor: Supervisor; pgids: number[]; start(): Promise<void> } {
  const supervisor = new Supervisor(options);
  const pgids: number[] = [];
  supervisor.on('start', (e) => pgids.push(e.pgid));
  return {
    supervisor,
    pgids,
    async start() {
      const ready = waitReady(supervisor, options.children.length);
      await supervisor.start();
      await ready;
    },
  };
}

describe('stop', { timeout: 40_000 }, () => {
  test('starts dependencies first and stops in reverse order, one at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-stop-'));
    const log = join(dir, 'log');
    const { supervisor, pgids, start } = supervise({
      children: [
        { ...logger('web', log, '0.1'), dependsOn: ['db', 'cache'] },
        logger('db', log, '0.1'),
        { ...logger('cache', log, '0.1'), dependsOn: ['db'] },
      ],
    });
    const order: string[] = [];
    supervisor.on('start', (e) => order.push(e.name));
    try {
      await start();
      assert.deepEqual(order, ['db', 'cache', 'web']);
      const stopEvent = await withDeadline(supervisor.stop(), 15_000, 'stop');
      assert.equal(stopEvent.reason, 'requested');
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['web', 'cache', 'db']);
      for (const pgid of pgids) assert.deepEqual(groupMembers(pgid), [], `group ${pgid} is empty`);
      assert.deepEqual(supervisor.status().map((s) => s.state), ['stopped', 'stopped', 'stopped']);
    } finally {
      pgids.forEach(killGroupQuietly);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a child ignoring the stop signal is KILLed after stopTimeout, with its whole group', async () => {
    const mark = marker();
    const { supervisor, pgids, start } = supervise({
      children: [{
        name: 'stubborn', file: 'sh', args: ['-c', `trap '' TERM; sleep ${mark} & echo up; wait`],
        options: { stdio: ['ignore', 'pipe', 'inherit'] }, stopTimeout: 300,
      }],
    });
    try {
      await start();
      const started = performance.now();
      await withDeadline(supervisor.stop(), 10_000, 'stop');
      assert.ok(performance.now() - started >= 290, 'waited for the grace period');
      assert.equal(supervisor.status()[0]!.lastExit?.signal, 'SIGKILL');
      assert.deepEqual(groupMembers(pgids[0]!).filter(isAlive), []);
      const left = withMarker(mark);
      assert.deepEqual(left, [], JSON.stringify(left.map((p) => { try { return [readStat(p), readFileSync(`/proc/${p}/cmdline`, 'utf8')]; } catch { return p; } })));
    } finally {
      pgids.forEach(killGroupQuietly);
      killMarked([mark]);
    }
  });

  test('a member that survives the stop signal receives it once, also when the leader exits on it', async () => {
    // The leader exits 0.2 s after TERM; its member logs every TERM at once and keeps running until
    // the SIGKILL. A second sweep started by the leader's exit would show as a second line.
    const dir = mkdtempSync(join(tmpdir(), 'procctl-once-'));
    const log = join(dir, 'log');
    const mark = marker();
    const member = `trap "echo TERM >> ${log}" TERM; echo up; while :; do sleep 0.05; : ${mark}; done`;
    const { supervisor, pgids, start } = supervise({
      children: [{
        name: 'pair', file: 'sh', args: ['-c', `sh -c '${member}' & trap "sleep 0.2; exit 0" TERM; while :; do sleep 0.05; done`],
        options: { stdio: ['ignore', 'pipe', 'inherit'] }, stopTimeout: 1000,
      }],
    });
    try {
      await start();
      await withDeadline(supervisor.stop(), 10_000, 'stop');
      assert.equal(readFileSync(log, 'utf8'), 'TERM\n', 'exactly one TERM reached the member');
      assert.deepEqual(groupMembers(pgids[0]!).filter(isAlive), []);
    } finally {
      pgids.forEach(killGroupQuietly);
      killMarked([mark]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a run ends when its group is empty: leftovers of a natural exit are stopped before the exit event', async () => {
    const mark = marker();
    const supervisor = new Supervisor({ children: [{ name: 'bg', file: 'sh', args: ['-c', `sleep ${mark} & sleep 1; exit 0`], restart: 'never', stopTimeout: 2000 }] });
    let pgid = 0;
    supervisor.on('start', (e) => (pgid = e.pgid));
    // Listened for before the start: under load the run may end while the poll below still waits.
    const exited = new Promise<ExitEvent>((r) => supervisor.once('exit', r));
    try {
      await supervisor.start();
      await waitUntil(() => withMarker(mark).length === 1, 5000, 'the background sleep');
      const exit = await withDeadline(exited, 10_000, 'exit');
      assert.equal(exit.code, 0);
      assert.deepEqual(withMarker(mark), [], 'the leftover was stopped before the exit event');
      assert.deepEqual(groupMembers(pgid).filter(isAlive), []);
    } finally {
      killGroupQuietly(pgid);
      killMarked([mark]);
    }
  });

  test('stop(signal) uses the given signal; parallelStop stops everything at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-stop-'));
    const log = join(dir, 'log');
    const children = ['a', 'b', 'c'].map((n) => ({
      name: n, file: 'sh', args: ['-c', `trap 'echo ${n} >> ${log}; exit 0' INT; echo up; while :; do sleep 0.05; done`],
      options: { stdio: ['ignore', 'pipe', 'inherit'] as const }, stopTimeout: 5000,
    }));
    const { supervisor, pgids, start } = supervise({ children, parallelStop: true });
    try {
      await start();
      const event = await withDeadline(supervisor.stop('SIGINT'), 10_000, 'stop');
      assert.equal(event.signal, 'SIGINT');
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').sort(), ['a', 'b', 'c']);
      assert.deepEqual(supervisor.status().map((s) => s.lastExit?.code), [0, 0, 0]);
    } finally {
      pgids.forEach(killGroupQuietly);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('forwardSignals: SIGTERM to the supervisor process stops every child; SIGHUP is forwarded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-fwd-'));
    const log = join(dir, 'log');
    const script = `
      const s = new Supervisor({ forwardSignals: true, children: ['a', 'b'].map((n) => ({
        name: n, file: 'sh', args: ['-c', "trap 'echo " + n + " HUP >> ${log}' HUP; trap 'echo " + n + " TERM >> ${log}; exit 0' TERM; echo up; while :; do sleep 0.05; done"],
        options: { stdio: ['ignore', 'pipe', 'inherit'] } })) });
      let ready = 0;
      s.on('start', (e) => e.process.stdout.once('data', () => { if (++ready === 2) console.log('ready ' + s.status().map((c) => c.pgid).join(' ')); }));
      s.on('stop', (e) => console.log('stop ' + e.reason + ' ' + e.signal));
      await s.start();
      await s.stopped;
    `;
    const child = startSupervisorScript(script);
    let pgids: number[] = [];
    try {
      const ready = await withDeadline(nextLine(child.lines, 'ready'), 10_000, 'ready');
      pgids = ready.split(' ').slice(1).map(Number);
      process.kill(child.pid!, 'SIGHUP');
      await waitUntil(() => { try { return readFileSync(log, 'utf8').split('\n').filter((l) => l.endsWith('HUP')).length === 2; } catch { return false; } }, 5000, 'HUP forwarded');
      process.kill(child.pid!, 'SIGTERM');
      assert.equal(await withDeadline(nextLine(child.lines, 'stop'), 10_000, 'stop'), 'stop signal SIGTERM');
      assert.deepEqual(await withDeadline(childExit(child), 10_000, 'supervisor exit'), { code: 0, signal: null });
      const lines = readFileSync(log, 'utf8').trim().split('\n').sort();
      assert.deepEqual(lines, ['a HUP', 'a TERM', 'b HUP', 'b TERM']);
      for (const pgid of pgids) assert.deepEqual(groupMembers(pgid), []);
    } finally {
      child.kill('SIGKILL');
      pgids.forEach(killGroupQuietly);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


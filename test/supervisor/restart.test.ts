// Restart policies, backoff timing and restart intensity with real processes. Timing assertions
// are lower bounds and orderings only (never tight upper bounds): a slow machine must not fail.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor, type ExitEvent, type RestartEvent, type StartEvent } from '../../lib/supervisor/supervisor.js';
import { exists, isAlive, killAll, withDeadline } from '../helpers/proc.js';

/** Start a supervisor, recording events; every pid it ever started is killed in cleanup. */
function recorded(supervisor: Supervisor) {
  const events: Array<{ event: string; at: number; name?: string; data: unknown }> = [];
  const pids: number[] = [];
  supervisor.on('start', (e: StartEvent) => {
    pids.push(e.pid);
    events.push({ event: 'start', at: performance.now(), name: e.name, data: e });
  });
  supervisor.on('exit', (e: ExitEvent) => events.push({ event: 'exit', at: performance.now(), name: e.name, data: e }));
  supervisor.on('restart', (e: RestartEvent) => events.push({ event: 'restart', at: performance.now(), name: e.name, data: e }));
  supervisor.on('giveup', (e) => events.push({ event: 'giveup', at: performance.now(), name: e.name, data: e }));
  supervisor.on('stop', (e) => events.push({ event: 'stop', at: performance.now(), data: e }));
  return { events, pids, cleanup: () => killAll(pids) };
}

const fast = { initialMs: 40, maxMs: 2000, factor: 2, jitter: 0 };

describe('restart policies', { timeout: 30_000 }, () => {
  test('on-failure: a child failing three times then succeeding is restarted three times, then left alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-sup-'));
    const counter = join(dir, 'runs');
    // Appends a line per run; fails while fewer than 4 lines exist.
    const script = `echo run >> ${counter}; [ "$(wc -l < ${counter})" -ge 4 ]`;
    const supervisor = new Supervisor({ children: [{ name: 'flaky', file: 'sh', args: ['-c', script], restart: 'on-failure', backoff: fast }] });
    const rec = recorded(supervisor);
    try {
      await supervisor.start();
      await withDeadline(new Promise<void>((resolve) => supervisor.on('exit', (e) => e.code === 0 && resolve())), 10_000, 'the successful run');
      const [status] = supervisor.status();
      assert.equal(status!.restarts, 3);
      assert.equal(status!.state, 'exited');
      assert.equal(status!.lastExit?.code, 0);
      assert.equal(readFileSync(counter, 'utf8').trim().split('\n').length, 4);
      assert.deepEqual(rec.events.filter((e) => e.event === 'exit').map((e) => (e.data as ExitEvent).willRestart), [true, true, true, false]);
      // Backoff doubles: 40, 80, 160 ms between an exit and the next start (lower bounds).
      const starts = rec.events.filter((e) => e.event === 'start').map((e) => e.at);
      const exits = rec.events.filter((e) => e.event === 'exit').map((e) => e.at);
      const gaps = [1, 2, 3].map((i) => starts[i]! - exits[i - 1]!);
      [40, 80, 160].forEach((min, i) => assert.ok(gaps[i]! >= min - 2, `gap ${i} was ${gaps[i]} ms, expected >= ${min}`));
      assert.deepEqual(rec.events.filter((e) => e.event === 'restart').map((e) => (e.data as RestartEvent).delayMs), [40, 80, 160]);
    } finally {
      await supervisor.stop();
      rec.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on-failure and never leave a successful child alone; always restarts it', async () => {
    const supervisor = new Supervisor({
      children: [
        { name: 'ok', file: 'true', restart: 'on-failure', backoff: fast },
        { name: 'once', file: 'false', restart: 'never' },
        { name: 'again', file: 'true', restart: 'always', backoff: fast },
      ],
      intensity: { maxRestarts: 100, periodMs: 10_000 },
    });
    const rec = recorded(supervisor);
    try {
      await supervisor.start();
      await withDeadline(new Promise<void>((resolve) => {
        supervisor.on('restart', (e) => e.name === 'again' && e.restarts >= 2 && resolve());
      }), 10_000, 'two restarts of "always"');
      await new Promise((r) => setTimeout(r, 100));
      const byName = new Map(supervisor.status().map((s) => [s.name, s]));
      assert.equal(byName.get('ok')!.restarts, 0);
      assert.equal(byName.get('ok')!.state, 'exited');
      assert.equal(byName.get('once')!.restarts, 0);
      assert.equal(byName.get('once')!.state, 'failed');
      assert.equal(byName.get('once')!.lastExit?.code, 1);
      assert.ok(byName.get('again')!.restarts >= 2);
    } finally {
      await supervisor.stop();
      rec.cleanup();
    }
  });

  test('a crash loop exceeds the intensity: give-up stops every child and says why', async () => {
    const supervisor = new Supervisor({
      children: [
        { name: 'steady', file: 'sleep', args: ['1000'], stopTimeout: 2000 },
        { name: 'crasher', file: 'sh', args: ['-c', 'exit 3'], restart: 'always', backoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0.5 } },
      ],
      intensity: { maxRestarts: 3, periodMs: 10_000 },
    });
    const rec = recorded(supervisor);
    try {
      await supervisor.start();
      const steadyPid = supervisor.status()[0]!.pid!;
      const stopped = await withDeadline(supervisor.stopped, 10_000, 'give-up');
      assert.equal(stopped.reason, 'giveup');
      assert.equal(stopped.giveUp?.name, 'crasher');
      assert.match(stopped.giveUp!.reason, /more than 3 restart\(s\) within 10000 ms/);
      assert.equal(rec.events.filter((e) => e.event === 'restart').length, 3);
      assert.deepEqual(rec.events.filter((e) => e.event === 'giveup').length, 1);
      assert.equal(isAlive(steadyPid), false);
      assert.equal(exists(steadyPid), false, 'the steady child was reaped');
      const states = Object.fromEntries(supervisor.status().map((s) => [s.name, s.state]));
      assert.deepEqual(states, { steady: 'stopped', crasher: 'failed' });
      assert.equal(supervisor.state, 'stopped');
      // The final exit event of the crasher says it will not be restarted.
      const last = rec.events.filter((e) => e.event === 'exit' && e.name === 'crasher').at(-1)!.data as ExitEvent;
      assert.equal(last.willRestart, false);
    } finally {
      await supervisor.stop();
      rec.cleanup();
    }
  });

  test('a restart that cannot even spawn counts as a failure (127) and is retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-sup-'));
    const supervisor = new Supervisor({
      children: [{ name: 'gone', file: join(dir, 'tool'), restart: 'on-failure', backoff: fast }],
      intensity: { maxRestarts: 2, periodMs: 10_000 },
    });
    try {
      await assert.rejects(supervisor.start(), (e: Error & { code?: string }) => e.code === 'ENOENT');
      assert.equal(supervisor.state, 'stopped');
      assert.equal(supervisor.status()[0]!.lastError?.name, 'SpawnError');
    } finally {
      await supervisor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('status() reports pid, pgid, uptime and rusage', async () => {
    const supervisor = new Supervisor({ children: [{ name: 's', file: 'sh', args: ['-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 1'], restart: 'never' }] });
    const rec = recorded(supervisor);
    try {
      await supervisor.start();
      const running = supervisor.status()[0]!;
      assert.equal(running.state, 'running');
      assert.equal(running.pgid, running.pid);
      assert.ok(running.uptimeMs! >= 0);
      await withDeadline(new Promise((r) => supervisor.once('exit', r)), 10_000, 'exit');
      const done = supervisor.status()[0]!;
      assert.equal(done.pid, null);
      assert.equal(done.uptimeMs, null);
      assert.equal(done.lastExit?.code, 1);
      assert.ok(done.rusage!.userCpuMs + done.rusage!.systemCpuMs > 0);
      assert.ok(done.rusage!.maxRssKb > 0);
      // Nothing is left to run or restart: the supervisor stops by itself.
      assert.equal((await withDeadline(supervisor.stopped, 5000, 'stopped')).reason, 'done');
    } finally {
      await supervisor.stop();
      rec.cleanup();
    }
  });
});

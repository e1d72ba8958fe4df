// The addon in worker threads: each environment has its own instance; terminating workers with
// children still running must not crash or hang the process. Runs in a fixture process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { killAll, zombieChildren } from '../helpers/proc.js';
import { fixtureReport, runFixture } from '../helpers/native.js';

describe('native addon in worker threads', { timeout: 60_000 }, () => {
  for (const mode of ['pidfd', 'fallback']) {
    test(`workers terminate with children running (${mode})`, async () => {
      const result = await runFixture('worker-teardown', [mode], { timeout: 30_000 });
      let pids: number[] = [];
      try {
        assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
        assert.equal(result.code, 0, result.stderr);
        const report = fixtureReport<{ pids: number[]; pidfdsPerChild: number[] }>(result);
        pids = report.pids;
        assert.equal(pids.length, 10);
        // A child still running at teardown goes to the orphan list with a copy of its pidfd (the
        // next spawn reaps it); every other pidfd on it (watches, copies for group signals) is closed.
        assert.deepEqual(report.pidfdsPerChild, pids.map(() => (mode === 'pidfd' ? 1 : 0)), 'only the orphan list keeps a pidfd');
      } finally {
        killAll(pids);
      }
    });
  }

  for (const mode of ['pidfd', 'fallback']) {
    test(`a worker's teardown reaps the children that already exited (${mode})`, async () => {
      const result = await runFixture('worker-zombies', [mode], { timeout: 30_000 });
      assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
      assert.equal(result.code, 0, result.stderr);
      const { zombies, pids } = fixtureReport<{ zombies: number[]; pids: number[] }>(result);
      assert.equal(pids.length, 2);
      assert.deepEqual(zombies.filter((pid) => pids.includes(pid)), [], 'held and unseen exits are reaped');
    });

    test(`children still running at a worker's teardown are reaped by the next spawn (${mode})`, async () => {
      const result = await runFixture('worker-orphans', [mode], { timeout: 30_000 });
      assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
      assert.equal(result.code, 0, result.stderr);
      const report = fixtureReport<{ pids: number[]; zombiesBefore: number[]; zombies: number[] }>(result);
      assert.deepEqual(report.zombiesBefore.sort(), report.pids.sort(), 'both exited after the teardown');
      assert.deepEqual(report.zombies.filter((pid) => report.pids.includes(pid)), [], 'the spawn swept them');
    });
  }
});

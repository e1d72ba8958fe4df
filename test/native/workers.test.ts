// The addon in worker threads: each environment has its own instance; terminating workers with
// children still running must not crash or hang the process. Runs in a fixture process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { killAll } from '../helpers/proc.js';
import { fixtureReport, runFixture } from '../helpers/native.js';

describe('native addon in worker threads', { timeout: 60_000 }, () => {
  for (const mode of ['pidfd', 'fallback']) {
    test(`workers terminate with children running (${mode})`, async () => {
      const result = await runFixture('worker-teardown', [mode], { timeout: 30_000 });
      let pids: number[] = [];
      try {
        assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
        assert.equal(result.code, 0, result.stderr);
        pids = fixtureReport<{ pids: number[] }>(result).pids;
        assert.equal(pids.length, 10);
      } finally {
        killAll(pids);
      }
    });
  }
});

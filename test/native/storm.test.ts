// Spawning under load: worker threads allocating, a flood of SIGCHLD and SIGUSR2 with JS
// handlers. No crash, no deadlock, every exit reported exactly once. Runs in a fixture process
// so a crash or a hang fails this test rather than the runner.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureReport, runFixture } from '../helpers/native.js';

interface StormReport {
  spawned: number;
  reported: number;
  duplicates: number;
  wrongCode: number;
  usr2: number;
  chld: number;
}

describe('native spawn: signal storm and allocating workers', { timeout: 120_000 }, () => {
  for (const fallback of [false, true]) {
    test(`every exit reported exactly once${fallback ? ' (SIGCHLD fallback)' : ''}`, async () => {
      const env = fallback ? { ...process.env, PROCCTL_NO_PIDFD: '1' } : process.env;
      const result = await runFixture('storm', ['1000'], { env, timeout: 90_000 });
      assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
      assert.equal(result.code, 0, result.stderr);
      const report = fixtureReport<StormReport>(result);
      assert.equal(report.spawned, 1000);
      assert.equal(report.reported, 1000);
      assert.equal(report.duplicates, 0);
      assert.equal(report.wrongCode, 0);
      assert.ok(report.usr2 > 0 && report.chld > 0, `the storm happened: ${JSON.stringify(report)}`);
    });
  }
});

// A kernel that rejects clone(CLONE_PIDFD) (before 5.2), emulated with a seccomp filter: the
// first spawn disables pidfds, installs the SIGCHLD watcher before it retries the clone, and
// every exit is reported from then on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureReport, refuseCloneLauncher, runFixture } from '../helpers/native.js';

describe('native spawn: kernel without CLONE_PIDFD', { timeout: 60_000 }, () => {
  test('EINVAL from clone(CLONE_PIDFD) falls back to the SIGCHLD watcher and loses no exit', async (t) => {
    const launcher = refuseCloneLauncher();
    if ('skip' in launcher) return t.skip(launcher.skip);
    const result = await runFixture('clone-pidfd-rejected', [], { launcher: [launcher.path, 'pidfd'], timeout: 30_000 });
    assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
    assert.equal(result.code, 0, result.stderr);
    const { outcomes } = fixtureReport<{ outcomes: Array<{ pidfd: boolean; code: number | null }> }>(result);
    assert.equal(outcomes.length, 5);
    for (const outcome of outcomes) assert.deepEqual(outcome, { pidfd: false, code: 0 });
  });
});

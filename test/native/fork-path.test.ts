// The fork path: a plain fork-style clone whose child reports {stage, errno} through a CLOEXEC
// error pipe. Taken when PROCCTL_FORK_SPAWN=1 forces it, when CLONE_VM|CLONE_VFORK is refused
// (EINVAL, EPERM, ENOSYS; emulated with a seccomp filter), or when the clone did not share memory
// (qemu-user; covered by the arm64 subset). On every path spawn() throws the same structured
// failures, returns only after the exec and the child's setup, and leaks no fd.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureReport, refuseCloneLauncher, runFixture, type FixtureOptions } from '../helpers/native.js';

interface Report {
  pathBefore: string;
  pathAfter: string;
  pidfd: boolean;
  failures: Record<string, { code: string; stage: string }>;
  leftAfterFailures: string[];
  exeIsSleep: boolean;
  leadsOwnGroup: boolean;
  sleeperFds: string[];
  sleeperSignal: number;
  codes: number[];
  fdsLeaked: string[];
}

async function report(options: FixtureOptions): Promise<Report> {
  const result = await runFixture('fork-path', [], { timeout: 30_000, ...options });
  assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
  return fixtureReport<Report>(result);
}

function assertSpawnContract(seen: Report): void {
  assert.deepEqual(seen.failures, {
    missing: { code: 'ENOENT', stage: 'exec' },
    notExecutable: { code: 'EACCES', stage: 'exec' },
    badCwd: { code: 'ENOENT', stage: 'chdir' },
  });
  assert.deepEqual(seen.leftAfterFailures, [], 'failed children are reaped before spawn throws');
  assert.ok(seen.exeIsSleep, 'spawn returned before the child exec\'d');
  assert.ok(seen.leadsOwnGroup, 'spawn returned before the child\'s setpgid');
  assert.deepEqual(seen.sleeperFds, [], 'the error pipe (or anything else) leaked into the child');
  assert.equal(seen.sleeperSignal, 9);
  assert.deepEqual(seen.codes, [0, 3]);
  assert.deepEqual(seen.fdsLeaked, [], 'pipe ends left open in the parent');
}

// scripts/test-emulated.mjs sets this: qemu-user runs CLONE_VM|CLONE_VFORK as a fork.
const emulated = process.env.PROCCTL_EMULATOR === 'qemu-user';

describe('clone paths', { timeout: 120_000 }, () => {
  test(emulated ? 'default under qemu-user: the vfork clone runs as a fork, detected, fork path' : 'default: the vfork path, kept', async () => {
    const env = { ...process.env };
    delete env.PROCCTL_FORK_SPAWN;
    const seen = await report({ env });
    assert.equal(seen.pathBefore, 'vfork');
    assert.equal(seen.pathAfter, emulated ? 'fork' : 'vfork');
    assertSpawnContract(seen);
  });

  test('PROCCTL_FORK_SPAWN=1: the fork path from the first spawn, same contract', async () => {
    const seen = await report({ env: { ...process.env, PROCCTL_FORK_SPAWN: '1' } });
    assert.equal(seen.pathBefore, 'fork');
    assert.equal(seen.pathAfter, 'fork');
    assertSpawnContract(seen);
  });

  for (const refusal of ['EINVAL', 'EPERM', 'ENOSYS']) {
    test(`CLONE_VM refused with ${refusal}: falls back to the fork path once, same contract`, async (t) => {
      const launcher = refuseCloneLauncher();
      if ('skip' in launcher) return t.skip(launcher.skip);
      const env = { ...process.env };
      delete env.PROCCTL_FORK_SPAWN;
      const seen = await report({ env, launcher: [launcher.path, `vm:${refusal}`] });
      assert.equal(seen.pathBefore, 'vfork');
      assert.equal(seen.pathAfter, 'fork');
      // EINVAL is first taken for a refused CLONE_PIDFD, so pidfds end up off; the others keep them.
      if (refusal !== 'EINVAL') assert.equal(seen.pidfd, true);
      assertSpawnContract(seen);
    });
  }
});

// The child's fd table: close-all-but-listed, remapping, swaps and rotations, observed through
// /proc/PID/fd link targets. The parent with non-CLOEXEC fds at 3, 4, 5, 7 and 100 is a fixture
// started by native spawn itself.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { native } from '../../lib/native.js';
import { listFds, withDeadline } from '../helpers/proc.js';
import { fixturePath, nativeRequest, spawnNative } from '../helpers/native.js';

interface Report {
  parent: Record<string, string>;
  plans: Record<string, { fds: number[]; closeFds: boolean }>;
  children: Record<string, Record<string, string>>;
}

/** Runs fd-parent with a pipe at each of the given fd numbers; returns its report. */
async function runFdParent(at: number[], env: string[] = []): Promise<Report> {
  const binding = native();
  const dir = mkdtempSync(join(tmpdir(), 'procctl-fds-'));
  const pipes = at.map(() => binding.pipe());
  try {
    const fds = Array.from({ length: Math.max(...at) + 1 }, (_, i) => (i < 3 ? i : -1));
    at.forEach((target, i) => (fds[target] = pipes[i]![0]));
    const reportPath = join(dir, 'report.json');
    const envp = [...(nativeRequest([]).envp ?? []), ...env];
    const child = spawnNative([process.execPath, fixturePath('fd-parent'), reportPath], { fds, envp });
    const exit = await withDeadline(child.exited, 30_000, 'fd-parent fixture');
    assert.equal(exit.code, 0, 'fd-parent exit code');
    return JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  } finally {
    for (const [r, w] of pipes) {
      binding.close(r);
      binding.close(w);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every random plan: the child holds exactly the planned fds, each a dup of its source. */
function checkRandomPlans(report: Report): void {
  for (const [name, plan] of Object.entries(report.plans)) {
    if (!name.startsWith('random')) continue;
    const expected = plan.fds.flatMap((source, fd) => (source >= 0 ? [fd] : []));
    const got = report.children[name] ?? {};
    assert.deepEqual(Object.keys(got).map(Number).sort((a, b) => a - b), expected, `${name} ${JSON.stringify(plan.fds)}`);
    plan.fds.forEach((source, fd) => {
      if (source >= 0) assert.equal(got[fd], report.parent[source], `${name} ${JSON.stringify(plan.fds)}: fd ${fd}`);
    });
  }
}

describe('native spawn: fd plan', { timeout: 60_000 }, () => {
  for (const walk of [false, true]) {
  test(`close-all, keep, remap, swap, rotate, close, duplicate, random plans${walk ? ' (/proc/self/fd walk)' : ''}`, async () => {
    const report = await runFdParent([3, 4, 5, 7, 100], walk ? ['PROCCTL_NO_CLOSE_RANGE=1'] : []);
    const { parent, children } = report;
    const fdsOf = (name: string) => Object.keys(children[name] ?? {}).map(Number).sort((a, b) => a - b);
    const target = (name: string, fd: number) => children[name]?.[fd];

    // The fixture parent really holds five distinct pipes at those numbers.
    const pipeTargets = [3, 4, 5, 7, 100].map((fd) => parent[fd]);
    assert.ok(pipeTargets.every((t) => t?.startsWith('pipe:')), JSON.stringify(parent));
    assert.equal(new Set(pipeTargets).size, 5);

    assert.deepEqual(fdsOf('closeAll'), [0, 1, 2]);
    // closeFds false: the non-CLOEXEC fds survive, Node's own CLOEXEC fds do not.
    assert.deepEqual(fdsOf('keepOthers'), [0, 1, 2, 3, 4, 5, 7, 100]);

    assert.deepEqual(fdsOf('remap'), [0, 1, 2, 3]);
    assert.equal(target('remap', 3), parent[100]);

    assert.deepEqual(fdsOf('swap'), [0, 1, 2, 3, 4]);
    assert.equal(target('swap', 3), parent[4]);
    assert.equal(target('swap', 4), parent[3]);

    assert.deepEqual(fdsOf('rotate'), [0, 1, 2, 3, 4, 5]);
    assert.equal(target('rotate', 3), parent[4]);
    assert.equal(target('rotate', 4), parent[5]);
    assert.equal(target('rotate', 5), parent[3]);

    assert.deepEqual(fdsOf('closeOne'), [0, 2]);

    assert.deepEqual(fdsOf('duplicate'), [0, 1, 2, 3, 4]);
    assert.equal(target('duplicate', 3), parent[7]);
    assert.equal(target('duplicate', 4), parent[7]);

    checkRandomPlans(report);
  });
  }

  test('the parent keeps its fds', async () => {
    const before = listFds();
    const child = spawnNative(['true'], { fds: [0, 1, 2] });
    await withDeadline(child.exited, 10_000, 'true');
    assert.deepEqual(listFds(), before);
  });
});

// A kernel that rejects clone(CLONE_PIDFD) (before 5.2), emulated with a seccomp filter: the
// first spawn disables pidfds, installs the SIGCHLD watcher before it retries the clone, and
// every exit is reported from then on.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';
import { fixturePath, fixtureReport, type FixtureResult } from '../helpers/native.js';
import { hasTool } from '../helpers/reliability.js';

const dir = mkdtempSync(join(tmpdir(), 'procctl-no-clone-pidfd-'));

/** Compiles the seccomp launcher; null when there is no C compiler or no x86-64 seccomp. */
function buildLauncher(): string | null {
  if (process.arch !== 'x64') return null;
  const output = join(dir, 'no-clone-pidfd');
  execFileSync('cc', ['-O2', '-o', output, join(packageRoot, 'test', 'fixtures', 'native', 'no-clone-pidfd.c')]);
  return output;
}

function runUnder(launcher: string, fixture: string): Promise<FixtureResult> {
  return new Promise((resolve) => {
    execFile(launcher, [process.execPath, fixturePath(fixture)], { timeout: 30_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        resolve({ code, signal: failure?.signal ?? null, stdout, stderr });
      });
  });
}

describe('native spawn: kernel without CLONE_PIDFD', { timeout: 60_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('EINVAL from clone(CLONE_PIDFD) falls back to the SIGCHLD watcher and loses no exit', async (t) => {
    if (!(await hasTool('cc'))) return t.skip('no C compiler to build the seccomp launcher');
    const launcher = buildLauncher();
    if (launcher === null) return t.skip('the seccomp launcher is written for x86-64');
    const result = await runUnder(launcher, 'clone-pidfd-rejected');
    assert.equal(result.signal, null, `fixture died of ${result.signal}: ${result.stderr}`);
    assert.equal(result.code, 0, result.stderr);
    const { outcomes } = fixtureReport<{ outcomes: Array<{ pidfd: boolean; code: number | null }> }>(result);
    assert.equal(outcomes.length, 5);
    for (const outcome of outcomes) assert.deepEqual(outcome, { pidfd: false, code: 0 });
  });
});

// On macOS, Windows and every other non-Linux platform the package imports, platformSupport() says
// why it cannot work, and every entry point throws one UnsupportedPlatformError naming the
// platform, before validating its input or touching anything. Tested on Linux with
// process.platform forced in a fresh Node process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';
import { distRoot, libIndex, runNodeScenario } from '../helpers/reliability.js';

const FORCE = `Object.defineProperty(process, 'platform', { value: 'darwin' });`;

// Every export that does something must throw; the rest are classified here, so a new export has
// to be added to one list or the other.
const SCENARIO = `
${FORCE}
const procctl = await import(${JSON.stringify(libIndex)});
const calls = {
  spawn: () => procctl.spawn('true'),
  spawnBadInput: () => procctl.spawn(42),
  exec: () => procctl.exec('true'),
  pipeline: () => procctl.pipeline([['true'], ['true']]),
  killGroup: () => procctl.killGroup(1, 0),
  groupMembers: () => procctl.groupMembers(1),
  waitForGroupExit: () => procctl.waitForGroupExit(1, 10),
  inspect: () => procctl.inspect(1),
  processTree: () => procctl.processTree(1),
  Supervisor: () => new procctl.Supervisor({ children: [{ name: 'a', command: ['true'] }] }),
};
const outcomes = {};
for (const [name, call] of Object.entries(calls)) {
  try {
    await call();
    outcomes[name] = 'returned';
  } catch (error) {
    outcomes[name] = { name: error.name, code: error.code, message: error.message, branded: procctl.UnsupportedPlatformError.is(error) };
  }
}
const operational = new Set(['spawn', 'exec', 'pipeline', 'killGroup', 'groupMembers', 'waitForGroupExit', 'inspect', 'processTree', 'Supervisor']);
const inert = new Set(['Subprocess', 'ProcessError', 'SpawnError', 'UnsupportedPlatformError', 'platformSupport']);
const unclassified = Object.entries(procctl)
  .filter(([name, value]) => typeof value === 'function' && !operational.has(name) && !inert.has(name))
  .map(([name]) => name);
console.log(JSON.stringify({ outcomes, unclassified, support: procctl.platformSupport(), signalsWork: procctl.signals !== undefined }));
`;

describe('other platforms', { timeout: 60_000 }, () => {
  test('import works, platformSupport() says why not, every entry point throws one clear error', async () => {
    const result = await runNodeScenario(SCENARIO);
    assert.equal(result.code, 0, result.stderr);
    const report = result.report as {
      outcomes: Record<string, { name: string; code: string; message: string; branded: boolean } | string>;
      unclassified: string[];
      support: { supported: boolean; reason: string | null };
    };
    assert.deepEqual(report.unclassified, [], 'exports neither checked nor known to be inert');
    const expected = {
      name: 'UnsupportedPlatformError',
      code: 'ERR_PROCCTL_UNSUPPORTED_PLATFORM',
      message: 'procctl supports Linux only; this is darwin (process.platform)',
      branded: true,
    };
    for (const [name, outcome] of Object.entries(report.outcomes)) assert.deepEqual(outcome, expected, name);
    assert.deepEqual(report.support, { supported: false, reason: expected.message });
  });

  test('the CLI prints the same error and exits with its failure status', async () => {
    const main = join(distRoot, 'lib', 'cli', 'main.cjs');
    const force = `data:text/javascript,${encodeURIComponent(FORCE)}`;
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', force, main, 'inspect', '1'], { timeout: 20_000 }, (error, _stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr });
      });
    });
    assert.equal(code, 1);
    assert.match(stderr, /procctl supports Linux only; this is darwin/);
  });

  test('installing never fails there: no os/cpu field, and the install hook builds nothing', async () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.os, undefined, 'an os field makes npm refuse the install (EBADPLATFORM)');
    assert.equal(manifest.cpu, undefined, 'a cpu field makes npm refuse the install (EBADPLATFORM)');
    assert.equal((manifest.scripts as Record<string, string>).install, 'node scripts/install.mjs');
    const force = `data:text/javascript,${encodeURIComponent(FORCE)}`;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(process.execPath, ['--import', force, join(packageRoot, 'scripts', 'install.mjs')], { timeout: 20_000, env: { ...process.env, PATH: '/nonexistent' } },
        (error, stdout) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout }));
    });
    assert.equal(code, 0);
    assert.match(stdout, /darwin is not supported \(Linux only\); nothing to build/);
  });

  test('the same process on Linux: supported', async () => {
    const result = await runNodeScenario(`
      const procctl = await import(${JSON.stringify(libIndex)});
      console.log(JSON.stringify(procctl.platformSupport()));`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.report, { supported: true, reason: null });
  });
});

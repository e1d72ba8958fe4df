// What starting the CLI loads: `procctl exec -- true`, `inspect PID` and `--version` load Node's
// own modules no further than `node -e ''` does (options are parsed by cli/args.ts, not
// util.parseArgs; node-gyp-build, and with it os, is not loaded: lib/native.ts knownAddonPath). No ES module loader, no fs/promises, streams, readline or worker_threads: each
// of those is milliseconds of start-up. Read from process.moduleLoadList through a --require
// preload that writes it when the process exits, or, for exec, just before the execve replaces it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';

// The preload: record moduleLoadList to $OUT at exit, or when the addon's execve is called (the
// exec in place never returns to an exit handler). Only Node's require/dlopen hooks, no procctl code.
const PRELOAD = `
const { writeFileSync } = require('node:fs');
const record = () => writeFileSync(process.env.MODULE_LIST_OUT, JSON.stringify(process.moduleLoadList));
process.on('exit', record);
const dlopen = process.dlopen;
process.dlopen = function (module, ...rest) {
  const result = dlopen.call(this, module, ...rest);
  const execve = module.exports && module.exports.execve;
  if (typeof execve === 'function') module.exports.execve = function (...args) { record(); return execve.apply(this, args); };
  return result;
};
`;

function nodeModules(list: string[]): Set<string> {
  return new Set(list.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)));
}

function loadedBy(dir: string, args: string[]): Promise<Set<string>> {
  const out = join(dir, `list-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--require', join(dir, 'preload.cjs'), ...args], { timeout: 20_000, env: { ...process.env, MODULE_LIST_OUT: out } },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${args.join(' ')}: ${error.message} ${stderr}`));
        else resolve(nodeModules(JSON.parse(readFileSync(out, 'utf8')) as string[]));
      });
  });
}

describe('CLI start-up', { timeout: 60_000 }, () => {
  test("exec, inspect and --version load no more of Node than node -e '' does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-startup-'));
    try {
      writeFileSync(join(dir, 'preload.cjs'), PRELOAD);
      const baseline = await loadedBy(dir, ['-e', '']);
      for (const args of [['exec', '--', 'true'], ['inspect', String(process.pid)], ['--version']]) {
        const extra = [...(await loadedBy(dir, [CLI, ...args]))].filter((m) => !baseline.has(m));
        assert.deepEqual(extra, [], `procctl ${args.join(' ')} also loads`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The prebuild and a fresh build must load on glibc 2.28: no symbol version above GLIBC_2.28 and
// no GLIBCXX_/CXXABI_ requirement (libstdc++ is linked statically), checked with objdump -T.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';

const BASELINE = [2, 28];

/** Every symbol version a binary requires, from objdump -T; null when it is not dynamic. */
function requiredVersions(file: string): string[] | null {
  let output: string;
  try {
    output = execFileSync('objdump', ['-T', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (/not a dynamic object|no dynamic symbol/i.test(String((error as { stderr?: string }).stderr))) return null;
    throw error;
  }
  return [...new Set(output.match(/\b(GLIBC|GLIBCXX|CXXABI)_[0-9.]+/g) ?? [])];
}

function newerThanBaseline(version: string): boolean {
  const parts = version.replace('GLIBC_', '').split('.').map(Number);
  for (let i = 0; i < 2; i++) {
    const a = parts[i] ?? 0;
    const b = BASELINE[i] ?? 0;
    if (a !== b) return a > b;
  }
  return (parts[2] ?? 0) > 0;
}

function hasObjdump(): boolean {
  try {
    execFileSync('objdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const binaries = [
  ['prebuild addon', join(packageRoot, 'prebuilds', 'linux-x64', 'procctl.node')],
  ['prebuild init', join(packageRoot, 'prebuilds', 'linux-x64', 'procctl-init')],
  ['fresh addon', join(packageRoot, 'build', 'Release', 'procctl.node')],
  ['fresh init', join(packageRoot, 'build', 'Release', 'procctl-init')],
] as const;

describe('glibc baseline of the native binaries', () => {
  for (const [name, file] of binaries) {
    test(`${name}: GLIBC <= 2.28, no GLIBCXX_/CXXABI_`, (t) => {
      if (!hasObjdump()) return t.skip('objdump (binutils) is not installed');
      if (!existsSync(file)) {
        if (name.startsWith('fresh') && process.env.PREBUILDS_ONLY) return t.skip(`no source build under PREBUILDS_ONLY (${file})`);
        assert.fail(`${file} is missing: run npm run prebuild / node-gyp rebuild`);
      }
      const versions = requiredVersions(file);
      if (versions === null) return; // statically linked: no runtime glibc requirement at all
      assert.deepEqual(versions.filter((v) => !v.startsWith('GLIBC_')), [], 'no C++ runtime versions');
      assert.deepEqual(versions.filter((v) => v.startsWith('GLIBC_') && newerThanBaseline(v)), [], 'glibc versions above 2.28');
    });
  }
});

// Node 22+ dlcloses an addon once no environment uses it; the process-wide orphan list (children
// of terminated workers) must survive that, so both addons are linked with -z nodelete.
describe('addon is never unloaded', () => {
  for (const [name, file] of binaries.filter(([name]) => name.endsWith('addon'))) {
    test(`${name}: DT_FLAGS_1 has NODELETE`, (t) => {
      if (!hasObjdump()) return t.skip('objdump (binutils) is not installed');
      if (!existsSync(file)) {
        if (name.startsWith('fresh') && process.env.PREBUILDS_ONLY) return t.skip(`no source build under PREBUILDS_ONLY (${file})`);
        assert.fail(`${file} is missing: run npm run prebuild / node-gyp rebuild`);
      }
      const dynamic = execFileSync('objdump', ['-p', file], { encoding: 'utf8' });
      const flags = /FLAGS_1\s+(0x[0-9a-f]+)/i.exec(dynamic);
      assert.ok(flags && (Number(flags[1]) & 0x8) !== 0, `DF_1_NODELETE missing in ${flags?.[1]}`);
    });
  }
});

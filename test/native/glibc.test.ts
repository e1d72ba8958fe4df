// Every prebuild (each prebuilds/<platform> directory) and a fresh build must load on glibc 2.28:
// no symbol version above GLIBC_2.28 and no GLIBCXX_/CXXABI_ requirement (libstdc++ is linked
// statically; native/glibc-compat.cc keeps its newer glibc references off the table). Read with
// readelf, which takes any architecture's ELF.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';
import { ADDON_FILE, HELPER_FILES, prebuildDirs } from '../helpers/prebuilds.js';

const BASELINE = [2, 28];

/** Every symbol version a binary requires (readelf's version-needs entries); [] when static. */
function requiredVersions(file: string): string[] {
  const output = execFileSync('readelf', ['-W', '--version-info', file], { encoding: 'utf8' });
  return [...new Set([...output.matchAll(/Name: ((?:GLIBC|GLIBCXX|CXXABI)_[0-9.]+)/g)].map((match) => match[1]!))];
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

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const binaries: Array<[string, string]> = [
  ...prebuildDirs.flatMap((dir): Array<[string, string]> => [ADDON_FILE, ...HELPER_FILES].map((name) =>
    [`prebuilds/${dir}/${name}`, join(packageRoot, 'prebuilds', dir, name)])),
  ['fresh addon build/Release/procctl.node', join(packageRoot, 'build', 'Release', 'procctl.node')],
  ...HELPER_FILES.map((name): [string, string] => [`fresh build/Release/${name}`, join(packageRoot, 'build', 'Release', name)]),
];

function present(t: { skip(message: string): void }, name: string, file: string): boolean {
  if (!hasReadelf()) {
    t.skip('readelf (binutils) is not installed');
    return false;
  }
  if (existsSync(file)) return true;
  if (name.startsWith('fresh') && process.env.PREBUILDS_ONLY) {
    t.skip(`no source build under PREBUILDS_ONLY (${file})`);
    return false;
  }
  assert.fail(`${file} is missing: run npm run prebuild / node-gyp rebuild`);
}

describe('glibc baseline of the native binaries', () => {
  for (const [name, file] of binaries) {
    test(`${name}: GLIBC <= 2.28, no GLIBCXX_/CXXABI_`, (t) => {
      if (!present(t, name, file)) return;
      const versions = requiredVersions(file);
      assert.deepEqual(versions.filter((v) => !v.startsWith('GLIBC_')), [], 'no C++ runtime versions');
      assert.deepEqual(versions.filter((v) => v.startsWith('GLIBC_') && newerThanBaseline(v)), [], 'glibc versions above 2.28');
      if (file.endsWith('.node')) assert.ok(versions.length > 0, 'no version needs read: the check would pass vacuously');
    });
  }
});

// Node 22+ dlcloses an addon once no environment uses it; the process-wide orphan list (children
// of terminated workers) must survive that, so every addon is linked with -z nodelete.
describe('addon is never unloaded', () => {
  for (const [name, file] of binaries.filter(([, file]) => file.endsWith('.node'))) {
    test(`${name}: DT_FLAGS_1 has NODELETE`, (t) => {
      if (!present(t, name, file)) return;
      const dynamic = execFileSync('readelf', ['-W', '-d', file], { encoding: 'utf8' });
      assert.match(dynamic, /\(FLAGS_1\)\s+Flags:.*\bNODELETE\b/, `DF_1_NODELETE missing in ${file}`);
    });
  }
});

// musl (Alpine) builds from source: there native/glibc-compat.cc must define nothing, since the
// glibc internals it stands in for do not exist. Checked with musl-gcc's headers (C only, which is
// all that file includes).
describe('glibc-compat.cc against another C library', () => {
  test('compiled against musl it defines no symbol', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-musl-'));
    try {
      const object = join(dir, 'glibc-compat.o');
      try {
        execFileSync('musl-gcc', ['-x', 'c++', '-c', '-O2', '-o', object, join(packageRoot, 'native', 'glibc-compat.cc')], { stdio: 'pipe' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('musl-gcc (musl-tools) is not installed');
        throw error;
      }
      const defined = execFileSync('nm', ['--defined-only', object], { encoding: 'utf8' }).trim();
      assert.equal(defined, '', `symbols defined against musl:\n${defined}`);
      const againstGlibc = join(dir, 'glibc.o');
      execFileSync('g++', ['-c', '-O2', '-o', againstGlibc, join(packageRoot, 'native', 'glibc-compat.cc')]);
      assert.match(execFileSync('nm', ['--defined-only', againstGlibc], { encoding: 'utf8' }), /pthread_once/, 'the same check sees the glibc definitions');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

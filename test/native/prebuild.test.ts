// prebuilds/ holds one directory per shipped platform (the list scripts/prebuild.mjs builds), each
// with the addon and the helper programs for its architecture, and each matching the native
// sources: SOURCE_HASH (written by npm run prebuild) equals the hash of native/** and binding.gyp.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { knownAddonPath, packageRoot } from '../../lib/native.js';
import { ADDON_FILE, HELPER_FILES, expectedPlatforms, fileArchitecture, prebuildDirs } from '../helpers/prebuilds.js';
import { hasTool } from '../helpers/reliability.js';

interface SourceHashModule {
  sourceHash(root: string): string;
}

describe('prebuild freshness', () => {
  test('prebuilds/ has exactly the platforms npm run prebuild builds', () => {
    assert.deepEqual(prebuildDirs, expectedPlatforms);
  });

  for (const dir of prebuildDirs) {
    const prebuildDir = join(packageRoot, 'prebuilds', dir);

    test(`${dir}: SOURCE_HASH matches native/ and binding.gyp`, async () => {
      const hashFile = join(prebuildDir, 'SOURCE_HASH');
      assert.ok(existsSync(hashFile), `${hashFile} missing: run npm run prebuild`);
      const module = (await import(pathToFileURL(join(packageRoot, 'scripts', 'source-hash.mjs')).href)) as SourceHashModule;
      assert.equal(
        readFileSync(hashFile, 'utf8').trim(),
        module.sourceHash(packageRoot),
        `prebuilds/${dir} is stale against native/ + binding.gyp: run npm run prebuild`,
      );
    });

    test(`${dir}: ships the addon and the helper programs, all ELF files of its architecture`, async (t) => {
      for (const name of [ADDON_FILE, ...HELPER_FILES]) assert.ok(existsSync(join(prebuildDir, name)), `${dir}/${name} missing`);
      if (!(await hasTool('file'))) return t.skip('file(1) is not installed');
      for (const name of [ADDON_FILE, ...HELPER_FILES]) {
        const description = execFileSync('file', ['-b', join(prebuildDir, name)], { encoding: 'utf8' });
        assert.match(description, fileArchitecture(dir), `${dir}/${name}: ${description}`);
      }
    });
  }

  test('the addon procctl loads without node-gyp-build is the file node-gyp-build picks', () => {
    const require = createRequire(import.meta.url);
    const gypBuild = require('node-gyp-build') as { path(dir: string): string };
    const known = knownAddonPath();
    assert.notEqual(known, null, 'this checkout has build/Release or a glibc prebuild: the short path must find it');
    assert.equal(known, gypBuild.path(packageRoot));
  });

  test('PREBUILDS_ONLY=1 loads the prebuild of this platform, not build/Release', (t) => {
    if (!process.env.PREBUILDS_ONLY) return t.skip('only meaningful in the PREBUILDS_ONLY pass');
    const require = createRequire(import.meta.url);
    const gypBuild = require('node-gyp-build') as { path(dir: string): string };
    assert.equal(gypBuild.path(packageRoot), join(packageRoot, 'prebuilds', `linux-${process.arch}`, ADDON_FILE));
  });
});

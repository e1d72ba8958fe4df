// prebuilds/linux-x64 must match the native sources: SOURCE_HASH (written by npm run prebuild)
// equals the hash of native/** and binding.gyp, computed by the same module.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../lib/native.js';

interface SourceHashModule {
  sourceHash(root: string): string;
}

const prebuildDir = join(packageRoot, 'prebuilds', 'linux-x64');

describe('prebuild freshness', () => {
  test('SOURCE_HASH matches native/ and binding.gyp', async () => {
    const hashFile = join(prebuildDir, 'SOURCE_HASH');
    assert.ok(existsSync(hashFile), `${hashFile} missing: run npm run prebuild`);
    const module = (await import(pathToFileURL(join(packageRoot, 'scripts', 'source-hash.mjs')).href)) as SourceHashModule;
    assert.equal(
      readFileSync(hashFile, 'utf8').trim(),
      module.sourceHash(packageRoot),
      'prebuilds/linux-x64 is stale against native/ + binding.gyp: run npm run prebuild',
    );
  });

  test('PREBUILDS_ONLY=1 loads the prebuild, not build/Release', (t) => {
    if (!process.env.PREBUILDS_ONLY) return t.skip('only meaningful in the PREBUILDS_ONLY pass');
    const require = createRequire(import.meta.url);
    const gypBuild = require('node-gyp-build') as { path(dir: string): string };
    assert.ok(gypBuild.path(packageRoot).startsWith(prebuildDir), gypBuild.path(packageRoot));
  });

  test('the prebuild ships the addon and procctl-init', () => {
    assert.ok(existsSync(join(prebuildDir, 'procctl.node')));
    assert.ok(existsSync(join(prebuildDir, 'procctl-init')));
  });
});

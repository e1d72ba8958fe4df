// Node's compile cache under procctl's CLI (Node ≥ 22.1; main.cts compileCacheDirectory): kept in a
// directory of the user's own, and never in one that others can write to, since what Node reads
// from it is compiled code that it runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasCompileCache = major > 22 || (major === 22 && minor >= 1);

describe('the compile cache directory', { timeout: 60_000 }, () => {
  test('a private directory is used; one that others can write to is left alone', async (t) => {
    if (!hasCompileCache) return t.skip(`Node ${process.versions.node} has no compile cache (module.enableCompileCache needs Node 22.1)`);
    const home = tempDir();
    try {
      const own = join(home.path, 'own');
      const result = await runCli(['inspect', String(process.pid)], { env: { ...process.env, XDG_CACHE_HOME: own } });
      assert.equal(result.code, 0, result.stderr);
      const dir = join(own, 'procctl', 'compile-cache');
      assert.notDeepEqual(readdirSync(dir), [], 'Node wrote its cache');

      const shared = join(home.path, 'shared', 'procctl', 'compile-cache');
      mkdirSync(shared, { recursive: true });
      chmodSync(shared, 0o777);
      const open = await runCli(['inspect', String(process.pid)], { env: { ...process.env, XDG_CACHE_HOME: join(home.path, 'shared') } });
      assert.equal(open.code, 0, open.stderr);
      assert.deepEqual(readdirSync(shared), [], 'nothing read from or written to a directory others can write');
    } finally {
      home.remove();
    }
  });
});

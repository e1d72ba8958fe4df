// Where node-gyp finds the Node headers without a download: a distribution node installed under
// a prefix (/usr, /usr/local) ships them in <prefix>/include/node. Honours an explicit setting.
// For another architecture, npm's node-linux-<arch> package is that distribution: its headers
// serve a cross build, and its binary runs the tests under qemu-user.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** process.env plus npm_config_nodedir when the running node's prefix has the headers. */
export function envWithNodeHeaders(env = process.env) {
  if (env.npm_config_nodedir) return env;
  const prefix = dirname(dirname(process.execPath));
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return env;
  return { ...env, npm_config_nodedir: prefix };
}

/**
 * The directory of npm's node-linux-<arch> (bin/node, include/node), same major as this node,
 * installed once under node_modules/.cache. --force: npm refuses a package for another cpu.
 */
export function nodeDistribution(arch, major = process.versions.node.split('.')[0]) {
  const cache = join(root, 'node_modules', '.cache', 'procctl-node', `node-linux-${arch}@${major}`);
  const dir = join(cache, 'node_modules', `node-linux-${arch}`);
  if (!existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
    mkdirSync(cache, { recursive: true });
    const result = spawnSync('npm', ['install', '--prefix', cache, '--no-save', '--no-package-lock', '--force',
      '--no-audit', '--no-fund', '--loglevel=error', `node-linux-${arch}@${major}`], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`npm install node-linux-${arch}@${major} failed (${result.status ?? result.signal})`);
  }
  return dir;
}

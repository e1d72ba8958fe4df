// npm run prebuild: build the N-API addon with prebuildify into prebuilds/linux-x64/, build the
// static procctl-init next to it (scripts/build-init.mjs), and record SOURCE_HASH so a stale
// prebuild is detected.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInit } from './build-init.mjs';
import { envWithNodeHeaders } from './node-headers.mjs';
import { sourceHash } from './source-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'prebuilds', 'linux-x64');

function run(args, file = process.execPath) {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit', env: envWithNodeHeaders() });
  if (result.status !== 0) {
    console.error(`prebuild: ${args.join(' ')} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

// N-API builds run on every Node version with that N-API level; build against this node's headers.
run([
  join(root, 'node_modules', 'prebuildify', 'bin.js'),
  '--napi', '--strip', '--platform', 'linux', '--arch', 'x64',
  '--target', `node@${process.versions.node}`,
]);

// prebuildify moves the addon out of build/Release; relink it so a source build stays in place.
run([join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), 'build']);

// prebuildify may hard-link the prebuild with the build output; give it its own inode so a
// later build cannot write through the link.
const addon = join(target, 'procctl.node');
writeFileSync(`${addon}.tmp`, readFileSync(addon), { mode: 0o755 });
renameSync(`${addon}.tmp`, addon);

mkdirSync(target, { recursive: true });
rmSync(join(target, 'procctl-reaper'), { force: true });
buildInit({ arch: 'x64', out: join(target, 'procctl-init') });
writeFileSync(join(target, 'SOURCE_HASH'), `${sourceHash(root)}\n`);
console.log(`prebuild: ${target} (SOURCE_HASH ${sourceHash(root).slice(0, 12)})`);

// The hash that ties prebuilds/ to the native sources: sha256 over binding.gyp, the script that
// builds procctl-init (its compiler flags are part of the binary) and every file under native/, in sorted path order, each as "<path>\0<contents>\0". scripts/prebuild.mjs writes
// it to prebuilds/<platform>/SOURCE_HASH; test/native/prebuild.test.ts fails when they differ.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Relative paths (with '/') of every regular file under dir, recursively. */
function listFiles(root, dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (entry.isFile()) out.push(path.split(sep).join('/'));
  }
  return out;
}

/** Files that make up the native build, relative to the package root, sorted. */
export function sourceFiles(root) {
  return ['binding.gyp', 'scripts/build-init.mjs', ...listFiles(root, 'native')].sort();
}

/** Hex sha256 of the native sources of the package at root. */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of sourceFiles(root)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

// Where the package is installed, a require() that resolves from there, and the addon loaded once
// per environment. This file is CommonJS in both builds (a .cts compiles to .cjs), so the ESM copy
// (dist/lib) and the CommonJS copy (dist/cjs) read __dirname the same way.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest directory above this file that holds binding.gyp (dist/lib → ../.., dist/cjs → ../..). */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    if (dirname(dir) === dir) return join(start, '..', '..');
  }
}

/** Root of the package (holds binding.gyp, build/ and prebuilds/). */
export const packageRoot: string = findPackageRoot(__dirname);

/** require() relative to the package's code (node-gyp-build, builtins loaded late). */
export const packageRequire: NodeJS.Require = require;

/**
 * Addon exports by file path, shared by every copy of this module in the environment (the ESM and
 * CommonJS builds each have their own): a process that loads both copies loads the addon once.
 * A worker thread has its own global object, and needs its own load.
 */
const REGISTRY = Symbol.for('procctl.addons');
const addons: Map<string, unknown> = ((globalThis as Record<symbol, Map<string, unknown> | undefined>)[REGISTRY] ??= new Map());

/**
 * The exports of the addon file at `path` (absolute), dlopened on the first call for that path.
 * process.dlopen is what require() does for a .node file, without the module resolution and
 * realpath walk it does first (part of every CLI start).
 */
export function loadAddon(path: string): unknown {
  let exports = addons.get(path);
  if (exports === undefined) {
    const module = { exports: {} };
    process.dlopen(module, path);
    exports = module.exports;
    addons.set(path, exports);
  }
  return exports;
}

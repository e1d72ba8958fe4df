// Where the package is installed, and a require() that resolves from there. This one file is
// CommonJS in both builds (a .cts compiles to .cjs), so the ESM copy (dist/lib) and the CommonJS
// copy (dist/cjs) read __dirname the same way and load the addon through the same require cache:
// node-gyp-build requires the .node file by its path, so a process that loads both copies loads
// the addon once.
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

/** require() relative to the package's code, for node-gyp-build and the addon. */
export const packageRequire: NodeJS.Require = require;

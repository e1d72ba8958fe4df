// Where procctl-init (native/init/init.c) is: the static init that `procctl init` execs into and
// that runs each child of a Supervisor with contain: 'reaper'.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './native.js';

export const INIT_BINARY = 'procctl-init';

/**
 * build/Release (a local build) first, then the prebuild shipped with the package — the order
 * node-gyp-build loads the addon in, including its PREBUILDS_ONLY switch, so the init always
 * comes from the same build as the addon. null when neither exists.
 */
export function locateInit(): string | null {
  const prebuilt = join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, INIT_BINARY);
  const candidates = process.env.PREBUILDS_ONLY ? [prebuilt] : [join(packageRoot, 'build', 'Release', INIT_BINARY), prebuilt];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

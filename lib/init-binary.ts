// Where procctl-init (native/init/init.c) is: the static init that `procctl init` execs into and
// that runs each child of a Supervisor with contain: 'reaper'.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { prebuildDir, sourceBuildDir } from './native.js';

export const INIT_BINARY = 'procctl-init';

/**
 * build/Release (a local build) first, then the prebuild shipped with the package — the order
 * the addon is loaded in, including the PREBUILDS_ONLY switch (sourceBuildDir), so the init always
 * comes from the same build as the addon. null when neither exists.
 */
export function locateInit(): string | null {
  const build = sourceBuildDir();
  const candidates = [...(build === null ? [] : [join(build, INIT_BINARY)]), join(prebuildDir(), INIT_BINARY)];
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

// The prebuilds/ directories and what each must hold, from the same module that builds them
// (scripts/prebuild.mjs), so the tests cover every shipped platform and nothing else.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../lib/native.js';

interface PrebuildModule {
  ADDON_FILE: string;
  HELPER_FILES: string[];
  PLATFORMS: Array<{ arch: string; gnuArch: string }>;
}

const prebuild = (await import(pathToFileURL(join(packageRoot, 'scripts', 'prebuild.mjs')).href)) as PrebuildModule;

export const ADDON_FILE = prebuild.ADDON_FILE;
export const HELPER_FILES = prebuild.HELPER_FILES;

/** Platforms npm run prebuild builds, as prebuilds/ directory names (linux-x64, linux-arm64). */
export const expectedPlatforms = prebuild.PLATFORMS.map((platform) => `linux-${platform.arch}`).sort();

/** Every directory under prebuilds/ (the ones that ship), sorted. */
export const prebuildDirs = readdirSync(join(packageRoot, 'prebuilds'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** What `file` says about an ELF of that prebuilds/ directory's architecture. */
export function fileArchitecture(dir: string): RegExp {
  const arch = dir.replace(/^linux-/, '');
  const gnuArch = prebuild.PLATFORMS.find((platform) => platform.arch === arch)?.gnuArch ?? arch;
  return gnuArch === 'x86_64' ? /ELF 64-bit LSB .*x86-64/ : new RegExp(`ELF 64-bit LSB .*${gnuArch}`);
}

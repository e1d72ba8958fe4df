// npm run prebuild: build the N-API addon and the static procctl-init for every shipped platform
// into prebuilds/linux-<arch>/, and record SOURCE_HASH in each so a stale prebuild is detected.
//
//   the host's arch   the host toolchain (cc/c++), this node's headers
//   any other arch    Debian's cross toolchain (g++-aarch64-linux-gnu for arm64), with the
//                     headers of npm's node-linux-<arch> (same major as this node) as --nodedir
//
// Each platform builds in a scratch copy of binding.gyp + native/ (+ scripts/build-init.mjs, which
// binding.gyp runs for procctl-init with the target arch: one recipe), so build/Release stays the
// host's own source build. The addon is named procctl.glibc.node: node-gyp-build then never offers
// it to a musl process (Alpine builds from source instead).
//
//   node scripts/prebuild.mjs [--arch x64,arm64]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envWithNodeHeaders, nodeDistribution } from './node-headers.mjs';
import { sourceHash } from './source-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ADDON_FILE = 'procctl.glibc.node';
export const HELPER_FILES = ['procctl-init'];

/** Every platform npm run prebuild builds; the tests check each prebuilds/ directory it names. */
export const PLATFORMS = [
  { arch: 'x64', gnuArch: 'x86_64' },
  { arch: 'arm64', gnuArch: 'aarch64' },
];

function run(file, args, options = {}) {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : (result.status ?? result.signal);
    throw new Error(`prebuild: ${file} ${args.join(' ')} failed (${why})`);
  }
}

/** The environment and node-gyp flags that build for one platform: native, or Debian's cross gcc. */
function toolchain(platform) {
  if (process.arch === platform.arch) return { env: envWithNodeHeaders(), args: [], strip: 'strip' };
  const cross = `${platform.gnuArch}-linux-gnu-`;
  const nodeDir = nodeDistribution(platform.arch);
  return {
    env: {
      ...process.env,
      CC: `${cross}gcc`,
      CXX: `${cross}g++`,
      LINK: `${cross}g++`,
      AR: `${cross}ar`,
      npm_config_nodedir: nodeDir,
    },
    args: [`--arch=${platform.arch}`, `--nodedir=${nodeDir}`],
    strip: `${cross}strip`,
  };
}

/** Builds one platform in a scratch copy and installs its files into prebuilds/linux-<arch>/. */
export function buildPlatform(platform) {
  const target = join(root, 'prebuilds', `linux-${platform.arch}`);
  const scratch = mkdtempSync(join(tmpdir(), `procctl-prebuild-${platform.arch}-`));
  try {
    cpSync(join(root, 'binding.gyp'), join(scratch, 'binding.gyp'));
    cpSync(join(root, 'native'), join(scratch, 'native'), { recursive: true });
    cpSync(join(root, 'scripts', 'build-init.mjs'), join(scratch, 'scripts', 'build-init.mjs'));
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
    const { env, args, strip } = toolchain(platform);
    run(process.execPath, [join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild', ...args], { cwd: scratch, env });

    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const release = join(scratch, 'build', 'Release');
    const files = [['procctl.node', ADDON_FILE], ...HELPER_FILES.map((name) => [name, name])];
    for (const [from, to] of files) {
      cpSync(join(release, from), join(target, to));
      run(strip, ['--strip-all', join(target, to)]);
    }
    writeFileSync(join(target, 'SOURCE_HASH'), `${sourceHash(root)}\n`);
    console.log(`prebuild: ${target}: ${readdirSync(target).join(', ')}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { arch: { type: 'string' } } });
  const wanted = values.arch?.split(',') ?? PLATFORMS.map((platform) => platform.arch);
  for (const arch of wanted) {
    const platform = PLATFORMS.find((candidate) => candidate.arch === arch);
    if (!platform) throw new Error(`prebuild: unknown --arch ${arch} (known: ${PLATFORMS.map((p) => p.arch).join(', ')})`);
    buildPlatform(platform);
  }
  console.log(`prebuild: SOURCE_HASH ${sourceHash(root).slice(0, 12)}`);
}

// The recipe for procctl-init (native/init/init.c), one fully static binary per architecture, so
// it runs with no C library at all (an Alpine image, a scratch image, a chroot holding only it):
//   for this machine's arch: musl-gcc -static -Os (Debian: musl-tools), else static glibc (gcc);
//   x64 elsewhere:   x86_64-linux-gnu-gcc -static (static glibc);
//   arm64 elsewhere: aarch64-linux-gnu-gcc -static (Debian: gcc-aarch64-linux-gnu; static glibc,
//                    as Debian ships no aarch64 musl cross compiler).
// The result is stripped. binding.gyp runs this too (source builds), so there is one recipe.
// By hand: node scripts/build-init.mjs [x64|arm64] OUT
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const INIT_SOURCE = join(root, 'native', 'init', 'init.c');
const FLAGS = ['-static', '-Os', '-std=gnu11', '-Wall', '-Wextra', '-fno-asynchronous-unwind-tables'];

function found(tool) {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(file, args) {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build-init: ${file} ${args.join(' ')} failed (${result.status ?? result.error?.message ?? result.signal})`);
}

/** The compiler and strip for an architecture: [cc, strip]. */
const CROSS = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function toolchain(arch) {
  if (!Object.hasOwn(CROSS, arch)) throw new Error(`build-init: unsupported arch ${JSON.stringify(arch)} (x64 or arm64)`);
  if (arch === process.arch) return found('musl-gcc') ? ['musl-gcc', 'strip'] : ['gcc', 'strip'];
  return [`${CROSS[arch]}-gcc`, `${CROSS[arch]}-strip`];
}

/** Build procctl-init for `arch` ('x64' | 'arm64') at `out` (stripped, mode 755). */
export function buildInit({ arch, out }) {
  const [cc, strip] = toolchain(arch);
  mkdirSync(dirname(out), { recursive: true });
  run(cc, [...FLAGS, '-o', out, INIT_SOURCE]);
  run(strip, ['--strip-all', out]);
  chmodSync(out, 0o755);
  return { cc, out };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [arch = process.arch, out = join(root, 'build', 'procctl-init')] = process.argv.slice(2);
  console.log(`build-init: ${buildInit({ arch, out }).cc} -> ${out}`);
}

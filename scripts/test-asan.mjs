#!/usr/bin/env node
// npm run test:asan — build the addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build-asan/ (never touching build/Release, which other builds and tests use) and run the whole
// test suite against it. Node itself is not instrumented, so the sanitizer runtimes are preloaded
// (LD_PRELOAD) and leak detection is off (Node does not free everything at exit, by design).
// Every process writes its sanitizer reports to build-asan/reports/; the run fails on any report,
// as well as on any failing test.
//
//   node scripts/test-asan.mjs [--skip-build] [--skip-tsc] [test dirs or files...]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envWithNodeHeaders } from './node-headers.mjs';
import { testFiles } from './test-files.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'build-asan');
const source = join(work, 'src');
const reports = join(work, 'reports');
const SANITIZE = '-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined';

/** Test files named on the command line (files, or directories searched like the whole suite). */
function selectedTestFiles(args) {
  if (args.length === 0) return testFiles(join(root, 'dist', 'test'));
  return args.flatMap((arg) => (statSync(resolve(root, arg)).isDirectory() ? testFiles(resolve(root, arg)) : [resolve(root, arg)]));
}

function log(line) {
  process.stderr.write(`test:asan: ${line}\n`);
}

function fail(line) {
  log(line);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${cmd}: ${result.error.message}`);
  log(`${cmd} ${args.slice(0, 3).join(' ')}… exited ${result.status ?? result.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Path of a sanitizer runtime as the compiler that builds the addon links it. */
function runtimeLibrary(name) {
  const out = spawnSync(process.env.CXX || 'g++', [`-print-file-name=${name}`], { encoding: 'utf8' });
  const path = out.stdout.trim();
  if (out.status !== 0 || !path.startsWith('/') || !existsSync(path)) {
    fail(`cannot find ${name} (is the compiler's sanitizer runtime installed?)`);
  }
  return path;
}

/**
 * binding.gyp with the sanitizers added to the addon target only. The flags go into the gyp file,
 * not CFLAGS/LDFLAGS, because those would reach the statically linked helper executables too
 * (ASan cannot link -static), and because the addon's -static-libstdc++ has to go: ASan must see
 * libstdc++'s operator new/delete to match them against malloc/free.
 */
function sanitizedBindingGyp() {
  const text = readFileSync(join(root, 'binding.gyp'), 'utf8');
  let gyp;
  try {
    gyp = JSON.parse(text.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n'));
  } catch (error) {
    fail(`cannot read binding.gyp as JSON (comments aside): ${error.message}`);
  }
  const addon = gyp.targets.find((t) => (t.type ?? 'loadable_module') === 'loadable_module');
  if (!addon) fail('binding.gyp has no addon (loadable_module) target');
  addon.cflags = [...(addon.cflags ?? []).filter((f) => !/^-O[1-3s]$/.test(f)), '-O1', ...SANITIZE.split(' ')];
  addon.ldflags = [...(addon.ldflags ?? []).filter((f) => !f.startsWith('-static')), '-fsanitize=address,undefined'];
  return `${JSON.stringify(gyp, null, 2)}\n`;
}

/** Copy binding.gyp, native/ and the init build script to a private tree so node-gyp writes build/ there, not here. */
function stageSources() {
  rmSync(source, { recursive: true, force: true });
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'binding.gyp'), sanitizedBindingGyp());
  cpSync(join(root, 'native'), join(source, 'native'), { recursive: true });
  // binding.gyp's build-init action runs this script to build procctl-init beside the addon.
  cpSync(join(root, 'scripts', 'build-init.mjs'), join(source, 'scripts', 'build-init.mjs'));
  cpSync(join(root, 'package.json'), join(source, 'package.json'));
  // binding.gyp finds node-addon-api through `node -p "require('node-addon-api')…"`.
  symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');
}

function buildAddon() {
  stageSources();
  const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const result = run(process.execPath, [gyp, 'rebuild', `--jobs=${availableParallelism()}`], { cwd: source, env: envWithNodeHeaders() });
  if (result.status !== 0) fail('sanitizer build failed');
}

/** The one .node file the sanitizer build produced. */
function addonPath() {
  const dir = join(source, 'build', 'Release');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  if (found.length !== 1) fail(`expected one .node in ${dir}, found ${found.length}`);
  const path = join(dir, found[0]);
  const needed = spawnSync('readelf', ['-d', path], { encoding: 'utf8' }).stdout ?? '';
  if (!needed.includes('libasan')) fail(`${path} is not linked against libasan: the sanitizer flags were not applied`);
  return path;
}

function sanitizerEnv(addon) {
  const preload = [runtimeLibrary('libasan.so'), runtimeLibrary('libubsan.so')];
  return {
    ...process.env,
    PROCCTL_ADDON_PATH: addon,
    LD_PRELOAD: [...preload, process.env.LD_PRELOAD].filter(Boolean).join(' '),
    // Tests read from outside whatever the runtime changes in every process it is preloaded
    // into (children inherit LD_PRELOAD), so keep it from changing anything observable:
    //  - detect_leaks=0: Node is not built for LeakSanitizer and leaves heap alive at exit;
    //  - handle_*=0: no SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT handlers, or SigCgt of every child
    //    would differ (a crash still fails the test that caused it, through its exit status);
    //  - quarantine_size_mb=16: the default 256 MB quarantine reads as RSS growth in tests that
    //    bound the parent's memory.
    PROCCTL_SANITIZER: 'address,undefined',
    ASAN_OPTIONS: [
      'detect_leaks=0',
      'halt_on_error=1',
      'abort_on_error=0',
      'handle_segv=0',
      'handle_sigbus=0',
      'handle_sigfpe=0',
      'handle_sigill=0',
      'handle_abort=0',
      'quarantine_size_mb=16',
      'detect_stack_use_after_return=0',
      `log_path=${join(reports, 'asan')}`,
      process.env.ASAN_OPTIONS,
    ].filter(Boolean).join(':'),
    UBSAN_OPTIONS: [
      'halt_on_error=1',
      'print_stacktrace=1',
      `log_path=${join(reports, 'ubsan')}`,
      process.env.UBSAN_OPTIONS,
    ].filter(Boolean).join(':'),
  };
}

/** Sanitizer reports written by any process of the run (one file per reporting pid). */
function collectReports() {
  if (!existsSync(reports)) return [];
  return readdirSync(reports)
    .map((f) => join(reports, f))
    .filter((f) => statSync(f).size > 0);
}

function main() {
  const args = process.argv.slice(2);
  const skipBuild = args.includes('--skip-build');
  const skipTsc = args.includes('--skip-tsc');
  const tests = args.filter((a) => !a.startsWith('--'));
  if (!existsSync(join(root, 'binding.gyp'))) fail('no binding.gyp: nothing to build');

  const started = Date.now();
  if (!skipBuild || !existsSync(join(source, 'build', 'Release'))) buildAddon();
  const addon = addonPath();
  if (!skipTsc) {
    const tsc = run(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { cwd: root });
    if (tsc.status !== 0) fail('TypeScript build failed');
  }

  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });
  const files = selectedTestFiles(tests);
  log(`running ${files.length} test files against ${addon}`);
  const suite = run(
    process.execPath,
    ['--test', `--test-concurrency=${availableParallelism()}`, '--test-timeout=180000', ...files],
    { cwd: root, env: sanitizerEnv(addon) },
  );

  const found = collectReports();
  for (const file of found) {
    log(`sanitizer report ${file}:`);
    process.stderr.write(readFileSync(file, 'utf8'));
  }
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (found.length > 0) fail(`${found.length} sanitizer report(s)`);
  if (suite.status !== 0) fail('test suite failed under sanitizers');
  log('clean: no sanitizer reports, all tests passed');
}

main();

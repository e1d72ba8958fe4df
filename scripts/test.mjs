// npm test: build from source, compile TypeScript (the ES module build with the tests, and the
// CommonJS build), run every dist/test/**/*.test.js with node --test, then run the whole suite again against prebuilds/ only (PREBUILDS_ONLY=1), so a
// stale or broken prebuild fails even though build/Release would otherwise hide it.
//
//   node scripts/test.mjs [--prebuild-only] [--files a.test.js,b.test.js]
//     --prebuild-only   skip the source build (and the compile when dist/ exists); run only the
//                       prebuild phase. CI uses it to test the same prebuild on other Node versions.
//     --files LIST      run only these test files (paths under dist/test, comma-separated).
//     --exclude LIST    run every test file but these (paths under dist/test, comma-separated); the
//                       run names them, so a phase that leaves a file to another phase says so.
//     --skip-pattern RE skip tests whose name matches (repeatable; node --test-skip-pattern, Node 22+).
//   PROCCTL_NODE=/path/to/node   run the test phases with that node binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envWithNodeHeaders } from './node-headers.mjs';
import { testFiles } from './test-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { 'prebuild-only': { type: 'boolean' }, files: { type: 'string' }, exclude: { type: 'string' }, 'skip-pattern': { type: 'string', multiple: true } } });
const prebuildOnly = options['prebuild-only'] === true;
const testNode = process.env.PROCCTL_NODE || process.execPath;

function step(name, args) {
  console.log(`\n== ${name}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: envWithNodeHeaders() });
  if (result.status !== 0) {
    console.error(`test: ${name} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/**
 * Runs node --test over files, streaming its output; resolves to { ok, summary lines }. The TAP
 * reporter is named explicitly: its closing `# tests N` lines read the same on Node 20, 22 and 24,
 * whereas the default reporter changed from TAP to spec (`ℹ tests N`) when stdout is not a TTY.
 */
function runSuite(name, files, env) {
  console.log(`\n== ${name}: ${files.length} files with ${testNode}`);
  return new Promise((resolve) => {
    const skips = (options['skip-pattern'] ?? []).map((pattern) => `--test-skip-pattern=${pattern}`);
    const args = ['--test', '--test-timeout=120000', '--test-reporter=tap', '--test-reporter-destination=stdout', ...skips, ...files];
    const child = spawn(testNode, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const summary = [];
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line)) summary.push(line);
      }
    });
    child.on('close', (code, signal) => resolve({ name, ok: code === 0, code: code ?? signal, summary }));
  });
}

if (!prebuildOnly) step('build native from source (node-gyp rebuild)', [join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild']);
if (!prebuildOnly || !existsSync(join(root, 'dist', 'test')) || !existsSync(join(root, 'dist', 'cjs', 'package.json'))) {
  step('compile TypeScript (ES module and CommonJS builds)', [join(root, 'scripts', 'build-ts.mjs')]);
}

const excluded = (options.exclude ?? '').split(',').filter(Boolean).map((file) => join(root, 'dist', 'test', file));
for (const file of excluded) {
  if (!existsSync(file)) {
    console.error(`test: --exclude names ${file}, which does not exist`);
    process.exit(1);
  }
}
if (excluded.length > 0) console.log(`\n== not run in this phase (--exclude): ${excluded.map((file) => file.slice(join(root, 'dist', 'test').length + 1)).join(', ')}`);
const files = (options.files === undefined ? testFiles(join(root, 'dist', 'test')) : options.files.split(',').map((file) => join(root, 'dist', 'test', file))).filter(
  (file) => !excluded.includes(file),
);
if (files.length === 0) {
  console.error('test: no dist/test/**/*.test.js files found');
  process.exit(1);
}
const results = [];
if (!prebuildOnly) results.push(await runSuite('suite (source build)', files, { ...process.env }));
results.push(await runSuite('suite (PREBUILDS_ONLY=1)', files, { ...process.env, PREBUILDS_ONLY: '1' }));

console.log(`\n== summary (${Math.round(process.uptime())} s)`);
for (const result of results) {
  console.log(`${result.ok ? 'ok' : 'FAILED'}  ${result.name}${result.ok ? '' : ` (exit ${result.code})`}`);
  for (const line of result.summary) console.log(`    ${line}`);
}
process.exit(results.every((result) => result.ok) ? 0 : 1);

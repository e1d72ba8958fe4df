// Compile the TypeScript twice: the ES module build (dist/lib, plus the tests in dist/test) and the
// CommonJS build of the package entry and of the CLI's commands (dist/cjs), whose package.json marks
// its .js files as CommonJS inside this "type": "module" package; then each command bundled into
// one file (scripts/bundle-cli.mjs), which is what the bin loads.
//
//   node scripts/build-ts.mjs [--cjs-only]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCommand } from './bundle-cli.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(project) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build-ts: tsc -p ${project} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

// From an empty dist/: a module or test that was moved or deleted must not live on there (the test
// runner would still run it, and `npm pack` would ship it).
if (!process.argv.includes('--cjs-only')) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  compile('tsconfig.json');
} else {
  rmSync(join(root, 'dist', 'cjs'), { recursive: true, force: true });
}
compile('tsconfig.cjs.json');
mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{\n  "type": "commonjs"\n}\n');
// Each CLI command (a module of lib/cli that exports main) as one file, which is what the bin loads.
const cjsRoot = join(root, 'dist', 'cjs');
for (const name of readdirSync(join(cjsRoot, 'cli'))) {
  if (!name.endsWith('.js') || name.endsWith('.bundle.js')) continue;
  if (/^exports\.main = /m.test(readFileSync(join(cjsRoot, 'cli', name), 'utf8'))) bundleCommand(cjsRoot, `cli/${name}`);
}

// Compile the TypeScript twice: the ES module build (dist/lib, plus the tests in dist/test) and the
// CommonJS build of the package entry and of the CLI's commands (dist/cjs; the bin loads only
// those), whose package.json marks its .js files as CommonJS inside this "type": "module" package.
//
//   node scripts/build-ts.mjs [--cjs-only]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(project) {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build-ts: tsc -p ${project} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

if (!process.argv.includes('--cjs-only')) compile('tsconfig.json');
compile('tsconfig.cjs.json');
mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{\n  "type": "commonjs"\n}\n');

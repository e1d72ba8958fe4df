// Compiles the C helpers of bench/c/ into a temporary directory with the system C compiler.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'c');

/** The first of gcc/cc found on PATH. Throws when there is none. */
function findCompiler() {
  for (const name of [process.env.CC, 'gcc', 'cc'].filter(Boolean)) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {
      // try the next one
    }
  }
  throw new Error('bench: no C compiler (gcc or cc) on PATH; set CC');
}

/**
 * Compile each named program (bench/c/<name>.c) into a fresh temp directory.
 * Returns { dir, paths: {name: path}, dispose() }.
 */
export function compileHelpers(names) {
  const compiler = findCompiler();
  const dir = mkdtempSync(join(tmpdir(), 'procctl-bench-'));
  const paths = {};
  for (const name of names) {
    const out = join(dir, name);
    execFileSync(compiler, ['-O2', '-o', out, join(sourceDir, `${name}.c`)], { stdio: 'inherit' });
    paths[name] = out;
  }
  return { dir, paths, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

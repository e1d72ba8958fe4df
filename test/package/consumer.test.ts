// The package as a user installs it: `npm pack`, then a fresh project outside this repository
// installs the tarball and
//   - require()s it and import()s it with the Node running this suite (CI runs the suite on Node
//     20, 22 and 24), both copies in one process: one addon, errors recognised across copies;
//   - type-checks a strict TypeScript program (typed streams, literal signals, @ts-expect-error for
//     what must not compile) under node16, nodenext and bundler resolution, as ESM and CommonJS;
//   - passes @arethetypeswrong/cli.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';

let project = '';
let tarball = '';

/**
 * The environment of a user's shell: without the sanitizer runtime, its options or an addon
 * override that `npm run test:asan` sets for the suite (the installed package must load its own
 * prebuild, and npm or tsc have no reason to run under ASan).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  for (const name of ['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'PROCCTL_ADDON_PATH', 'PROCCTL_SANITIZER', 'PREBUILDS_ONLY']) delete env[name];
  return env;
}

function run(file: string, args: string[], cwd = project): string {
  const result = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: 120_000, env: userEnv() });
  assert.equal(result.status, 0, `${file} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The typed program, compiled as ESM (.mts) and as CommonJS (.cts). */
const PROGRAM = `
import { spawn, exec, pipeline, ProcessError, type Subprocess } from 'procctl';
import type { Readable, Writable } from 'node:stream';

export async function typed(): Promise<string> {
  const child = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stdout: Readable = child.stdout;
  const stdin: Writable = child.stdin;
  const stderr: null = child.stderr;
  void stderr;
  stdin.end('x');
  const piped = spawn('true');
  const out: Readable = piped.stdout;
  void out;
  const loose: Subprocess = piped;
  // @ts-expect-error a stdio option the type cannot see through may leave stdout null
  const notSure: Readable = loose.stdout;
  void notSure;
  const quiet = spawn('true', { stdio: 'ignore' });
  // @ts-expect-error stdio 'ignore' leaves no stdout stream
  quiet.stdout.on('data', () => undefined);
  const lines: string[] = (await exec('ls', [], { lines: true })).stdout;
  const buffer: Buffer = (await exec('ls', { encoding: 'buffer' })).stdout;
  const text: string = (await pipeline([['ls'], ['wc', ['-l']]], { stripFinalNewline: true })).stdout;
  for await (const line of child.lines({ from: 'all' })) void line;
  child.kill('SIGRTMIN+3');
  child.kill('SIGTERM');
  child.kill('TERM');
  child.kill(9);
  spawn('true', { killSignal: 'SIGRTMAX-2', ignoreSignals: ['SIGINT', 'SIGPIPE'] });
  // @ts-expect-error misspelt signal name
  child.kill('SIGTREM');
  // @ts-expect-error unknown signal in an option
  spawn('true', { killSignal: 'SIGFOO' });
  // @ts-expect-error not an option
  spawn('true', { stdoutt: 'pipe' });
  try {
    await exec('false');
  } catch (error) {
    if (error instanceof ProcessError) return error.shortMessage;
  }
  void stdout; void lines; void buffer;
  return text;
}
`;

/** checkLibs: also check every .d.ts (the package's and Node's); slow, so done under one resolution. */
function tsconfig(module: string, resolution: string, files: string[], checkLibs: boolean): string {
  return JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module, moduleResolution: resolution, target: 'ES2022', lib: ['ES2023'],
      types: ['node'], skipLibCheck: !checkLibs, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
    },
    files,
  }, null, 2);
}

describe('the packed package in a fresh project', { timeout: 300_000 }, () => {
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'procctl-consumer-'));
    chmodSync(project, 0o755);
    // The package exactly as published: dist/ as built, no lifecycle scripts re-run.
    const packed = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], packageRoot).trim().split('\n').pop()!;
    tarball = join(project, packed);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball]);
    // The type checker and Node's types come from this repository (no other registry download).
    mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(packageRoot, 'node_modules', 'typescript'), join(project, 'node_modules', 'typescript'));
    symlinkSync(join(packageRoot, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  });
  after(() => {
    if (project !== '') rmSync(project, { recursive: true, force: true });
  });

  // What the tarball holds is scripts/check-package.mjs's check (CI); here only the maps.
  test('every source map carries its sources (lib/*.ts is not shipped)', () => {
    for (const dir of ['lib', 'cjs']) {
      const installed = join(project, 'node_modules', 'procctl', 'dist', dir);
      const maps = readdirSync(installed).filter((f) => f.endsWith('.js.map'));
      assert.ok(maps.length > 0, `maps in dist/${dir}`);
      for (const map of maps) {
        const parsed = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
        assert.equal(parsed.sourcesContent?.length, parsed.sources.length, `${dir}/${map} carries its sources`);
        assert.ok(parsed.sourcesContent.every((text) => text.length > 0), `${dir}/${map}: sources not empty`);
      }
    }
  });

  test(`require() and import() on Node ${process.versions.node}: one API, one addon, errors across copies`, () => {
    const script = `
      const assert = require('node:assert/strict');
      const opened = [];
      const dlopen = process.dlopen;
      process.dlopen = function (module, file, ...rest) { opened.push(file); return dlopen.call(this, module, file, ...rest); };
      const cjs = require('procctl');
      (async () => {
        const esm = await import('procctl');
        assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
        assert.notEqual(cjs.exec, esm.exec, 'two copies of the code');
        const a = await cjs.exec('echo', ['from cjs']);
        const b = await esm.exec('echo', ['from esm']);
        assert.equal(a.stdout + b.stdout, 'from cjs\\nfrom esm\\n');
        const e1 = await esm.exec('sh', ['-c', 'exit 3']).catch((e) => e);
        assert.ok(e1 instanceof cjs.ProcessError && cjs.ProcessError.is(e1), 'ESM error seen by the CJS copy');
        const e2 = await cjs.exec('procctl-no-such-file').catch((e) => e);
        assert.ok(e2 instanceof esm.ProcessError && e2.cause instanceof esm.SpawnError, 'CJS error seen by the ESM copy');
        assert.ok(!(e2 instanceof cjs.SpawnError) && !(new Error('x') instanceof esm.ProcessError));
        assert.equal(opened.length, 1, 'the addon is loaded once: ' + opened.join(', '));
        const lines = [];
        for await (const line of cjs.spawn('printf', ['a\\\\nb']).lines()) lines.push(line);
        assert.deepEqual(lines, ['a', 'b']);
        console.log('ok');
      })().catch((e) => { console.error(e); process.exit(1); });`;
    writeFileSync(join(project, 'both.cjs'), script);
    assert.equal(run(process.execPath, ['both.cjs']).trim(), 'ok');
    writeFileSync(join(project, 'esm.mjs'), `import { exec } from 'procctl';\nconsole.log((await exec('echo', ['esm'])).stdout.trim());\n`);
    assert.equal(run(process.execPath, ['esm.mjs']).trim(), 'esm');
  });

  for (const [module, resolution] of [['node16', 'node16'], ['nodenext', 'nodenext'], ['esnext', 'bundler']] as const) {
    test(`strict TypeScript under ${resolution} resolution`, () => {
      const files = resolution === 'bundler' ? ['program.mts'] : ['program.mts', 'program.cts'];
      writeFileSync(join(project, 'program.mts'), PROGRAM);
      writeFileSync(join(project, 'program.cts'), PROGRAM);
      writeFileSync(join(project, `tsconfig.${resolution}.json`), tsconfig(module, resolution, files, resolution === 'nodenext'));
      run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${resolution}.json`]);
    });
  }

  test('@arethetypeswrong/cli finds no problem', () => {
    const attw = join(packageRoot, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    run(process.execPath, [attw, tarball, '--format', 'table-flipped']);
  });
});

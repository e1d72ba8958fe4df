#!/usr/bin/env node
// procctl's entry point. Starting it should cost what starting any Node script costs, so it loads
// only CommonJS, and for a command one file: the command's bundle (dist/cjs/cli/NAME.bundle.js,
// its module and everything that module requires at load time; scripts/bundle-cli.mjs), required
// when the command runs (`procctl exec` loads nothing that inspect, tree, init or run use). An ES
// module would start Node's ESM loader, and an ES import of a builtin such as node:fs evaluates
// every lazy export of it (fs/promises, streams, readline): together 20–40 ms before any work.
// It turns on Node's compile cache where Node has one, then dispatches on the command name.
import { mkdirSync, statSync, writeSync } from 'node:fs';

interface CommandModule {
  main(argv: string[]): Promise<number>;
}

interface Output {
  printError(message: string): void;
  printOut(text: string): void;
}

interface Platform {
  assertSupportedPlatform(): void;
}

interface Suggest {
  closest(word: string, known: readonly string[]): string | undefined;
}

interface Help {
  helpText(command?: string): string | undefined;
}

interface Status {
  USAGE_STATUS: number;
}

/** Each command's module (./NAME.js) and its status when it fails in a way it did not handle. */
const FAILURE_STATUS: Readonly<Record<string, number>> = { exec: 125, init: 125, run: 125, inspect: 1, tree: 1 };

/** Create dir unless it exists; false when it cannot be had. */
function makeDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EEXIST';
  }
}

/**
 * The compile cache's directory: per user, never in a directory others can write —
 * $XDG_CACHE_HOME/procctl/compile-cache, else ~/.cache/procctl/compile-cache. Each level is made
 * here one at a time (Node's own recursive mkdir spins forever under a HOME where mkdir fails with
 * ENOENT, such as /proc). The last level must belong to this user and be writable by no one else,
 * since what Node reads from it is compiled code that it runs. null when there is no home, a level
 * cannot be made, or the directory fails that check.
 */
function compileCacheDirectory(): string | null {
  const { XDG_CACHE_HOME: xdg, HOME: home } = process.env;
  const base = xdg?.startsWith('/') ? xdg : home?.startsWith('/') ? `${home}/.cache` : null;
  if (base === null) return null;
  let dir = base;
  if (!makeDirectory(dir)) return null;
  for (const level of ['procctl', 'compile-cache']) {
    dir = `${dir}/${level}`;
    if (!makeDirectory(dir)) return null;
  }
  try {
    const { uid, mode } = statSync(dir);
    return uid === process.geteuid?.() && (mode & 0o022) === 0 ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Node's compile cache (Node ≥ 22.1) on for every module loaded from here on. A directory that
 * cannot be written leaves it off (Node reports that in a status; it does not throw), and
 * NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE still decide when they are set.
 */
function enableCompileCache(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 1)) return;
  const dir = compileCacheDirectory();
  if (dir === null) return;
  try {
    (require('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(dir);
  } catch {
    // the cache only saves time; procctl runs the same without it
  }
}

/** The CommonJS build of the CLI, next to this file's ES module build: dist/lib/cli → dist/cjs/cli. */
const CLI_MODULES = '../../cjs/cli';

/** Load one of the CLI's modules (a name in dist/cjs/cli, such as 'exec' or '../platform'). */
function load<T>(name: string): T {
  return require(`${CLI_MODULES}/${name}.js`) as T;
}

function output(): Output {
  return load<Output>('output');
}

/** The version line, written as printOut writes (a reader that left is not an error). */
function printVersion(): number {
  const { version } = require('../../../package.json') as { version?: string };
  try {
    writeSync(1, `${version ?? 'unknown'}\n`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EPIPE') throw error;
  }
  return 0;
}

function usageError(message: string): number {
  const { printError } = output();
  const { USAGE_STATUS } = load<Status>('status');
  printError(message);
  return USAGE_STATUS;
}

function unknownCommand(command: string): number {
  const { closest } = load<Suggest>('suggest');
  const suggestion = closest(command, [...Object.keys(FAILURE_STATUS), 'help']);
  if (suggestion === undefined) return usageError(`unknown command '${command}'; see 'procctl --help'`);
  return usageError(`unknown command '${command}'; did you mean '${suggestion}'? See 'procctl --help'`);
}

function showHelp(command: string | undefined): Promise<number> | number {
  if (command !== undefined && Object.hasOwn(FAILURE_STATUS, command)) return runCommand(command, ['--help']);
  const { helpText } = load<Help>('help');
  const text = helpText(command);
  if (text === undefined) return unknownCommand(command ?? '');
  output().printOut(text);
  return 0;
}

async function runCommand(command: string, argv: string[]): Promise<number> {
  const failure = FAILURE_STATUS[command] ?? 1;
  try {
    // platform.ts says why not; on Linux (always, in practice) it is not even loaded.
    if (!argv.includes('--help') && process.platform !== 'linux') load<Platform>('../platform').assertSupportedPlatform();
  } catch (error) {
    output().printError((error as Error).message);
    return failure;
  }
  let mod: CommandModule;
  try {
    mod = load<CommandModule>(`${command}.bundle`);
  } catch (error) {
    output().printError(`command '${command}' is not available: ${(error as Error).message}`);
    return failure;
  }
  try {
    return await mod.main(argv);
  } catch (error) {
    output().printError((error as Error).message ?? String(error));
    return failure;
  }
}

function main(argv: string[]): Promise<number> | number {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      return usageError("missing command; see 'procctl --help'");
    case '-h':
    case '--help':
      return showHelp(undefined);
    case 'help':
      if (rest.length > 1) return usageError("help takes at most one command; see 'procctl --help'");
      return showHelp(rest[0]);
    case '-V':
    case '--version':
      return printVersion();
    default:
      if (!Object.hasOwn(FAILURE_STATUS, first)) return unknownCommand(first);
      return runCommand(first, rest);
  }
}

enableCompileCache();
// Output is written synchronously, so exiting at once loses nothing and never waits on a handle a
// command forgot to close.
void Promise.resolve(main(process.argv.slice(2))).then((status) => process.exit(status));

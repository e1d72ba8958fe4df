#!/usr/bin/env node
// procctl's entry point. It is CommonJS so that starting it costs what starting any Node script
// costs: Node's ESM loader starts only when a command's module is loaded. It turns on Node's
// compile cache where Node has one, then dispatches: command name → that command's module, loaded
// only when it runs (`procctl exec` loads nothing that inspect, tree, init or run use).
import { mkdirSync, writeSync } from 'node:fs';

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
  USAGE_STATUS: number;
  helpText(command?: string): string | undefined;
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
 * ENOENT, such as /proc); null when there is no home or a level cannot be made.
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
  return dir;
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

/**
 * Load one of procctl's ES modules: synchronously with require() where Node can load ES modules
 * that way (Node ≥ 20.19 / 22.12: no loader round trips), else with import().
 */
async function load<T>(specifier: string): Promise<T> {
  if ((process.features as { require_module?: boolean }).require_module) {
    try {
      return require(specifier) as T;
    } catch (error) {
      // A module graph with top-level await cannot be required; import() can load it.
      if ((error as { code?: unknown }).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    }
  }
  return (await import(specifier)) as T;
}

function output(): Promise<Output> {
  return load<Output>('./output.js');
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

async function usageError(message: string): Promise<number> {
  const [{ printError }, { USAGE_STATUS }] = await Promise.all([output(), load<Help>('./help.js')]);
  printError(message);
  return USAGE_STATUS;
}

async function unknownCommand(command: string): Promise<number> {
  const { closest } = await load<Suggest>('./suggest.js');
  const suggestion = closest(command, [...Object.keys(FAILURE_STATUS), 'help']);
  if (suggestion === undefined) return usageError(`unknown command '${command}'; see 'procctl --help'`);
  return usageError(`unknown command '${command}'; did you mean '${suggestion}'? See 'procctl --help'`);
}

async function showHelp(command: string | undefined): Promise<number> {
  if (command !== undefined && Object.hasOwn(FAILURE_STATUS, command)) return runCommand(command, ['--help']);
  const { helpText } = await load<Help>('./help.js');
  const text = helpText(command);
  if (text === undefined) return unknownCommand(command ?? '');
  (await output()).printOut(text);
  return 0;
}

async function runCommand(command: string, argv: string[]): Promise<number> {
  const failure = FAILURE_STATUS[command] ?? 1;
  try {
    if (!argv.includes('--help')) (await load<Platform>('../platform.js')).assertSupportedPlatform();
  } catch (error) {
    (await output()).printError((error as Error).message);
    return failure;
  }
  let mod: CommandModule;
  try {
    mod = await load<CommandModule>(`./${command}.js`);
  } catch (error) {
    (await output()).printError(`command '${command}' is not available: ${(error as Error).message}`);
    return failure;
  }
  try {
    return await mod.main(argv);
  } catch (error) {
    (await output()).printError((error as Error).message ?? String(error));
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

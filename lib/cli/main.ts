#!/usr/bin/env node
// procctl's entry point: pick the command and load only its module (dynamic import), so that
// `procctl exec` starts as fast as a Node program can and loads nothing it does not use.
import { readFileSync } from 'node:fs';
import { assertSupportedPlatform } from '../platform.js';
import { USAGE_STATUS, helpText } from './help.js';
import { printError, printOut } from './output.js';
import { closest } from './suggest.js';

interface CommandModule {
  main(argv: string[]): Promise<number>;
}

/** Status when a command fails in a way it did not handle itself. */
const FAILURE_STATUS: Readonly<Record<string, number>> = { exec: 125, init: 125, run: 125, inspect: 1, tree: 1 };

function version(): string {
  // dist/lib/cli/main.js → the package root holds package.json.
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

function unknownCommand(command: string): string {
  const suggestion = closest(command, [...Object.keys(FAILURE_STATUS), 'help']);
  if (suggestion === undefined) return `unknown command '${command}'; see 'procctl --help'`;
  return `unknown command '${command}'; did you mean '${suggestion}'? See 'procctl --help'`;
}

function showHelp(command: string | undefined): Promise<number> | number {
  if (command !== undefined && Object.hasOwn(FAILURE_STATUS, command)) return runCommand(command, ['--help']);
  const text = helpText(command);
  if (text === undefined) {
    printError(unknownCommand(command ?? ''));
    return USAGE_STATUS;
  }
  printOut(text);
  return 0;
}

async function runCommand(command: string, argv: string[]): Promise<number> {
  const failure = FAILURE_STATUS[command] ?? 1;
  try {
    if (!argv.includes('--help')) assertSupportedPlatform();
  } catch (error) {
    printError((error as Error).message);
    return failure;
  }
  let mod: CommandModule;
  try {
    // A variable specifier: each command is its own module, loaded only when it is run.
    const specifier = `./${command}.js`;
    mod = (await import(specifier)) as CommandModule;
  } catch (error) {
    printError(`command '${command}' is not available: ${(error as Error).message}`);
    return failure;
  }
  try {
    return await mod.main(argv);
  } catch (error) {
    printError((error as Error).message ?? String(error));
    return failure;
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      printError("missing command; see 'procctl --help'");
      return USAGE_STATUS;
    case '-h':
    case '--help':
      return showHelp(undefined);
    case 'help':
      if (rest.length > 1) {
        printError("help takes at most one command; see 'procctl --help'");
        return USAGE_STATUS;
      }
      return showHelp(rest[0]);
    case '-V':
    case '--version':
      printOut(`${version()}\n`);
      return 0;
    default:
      if (!Object.hasOwn(FAILURE_STATUS, first)) {
        printError(unknownCommand(first));
        return USAGE_STATUS;
      }
      return runCommand(first, rest);
  }
}

// Output is written synchronously, so exiting at once loses nothing and never waits on a handle a
// command forgot to close.
process.exit(await main(process.argv.slice(2)));

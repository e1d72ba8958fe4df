// Command-line parsing shared by every procctl command: node:util parseArgs for the options, plus
// the value syntaxes of the CLI contract (DURATION, SIG, fd numbers, NAME=VALUE, PID). Every
// problem becomes a UsageError whose message is one line; each command maps it to its own status.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SIGRTMAX, parseSignal } from '../signals.js';
import { didYouMean } from './suggest.js';

/** Bad command line: the command prints `procctl: <message>` and exits with its usage status. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandLine {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
  /** COMMAND ARG... (only with `command: true`): everything from the first positional or after `--`. */
  command: string[];
}

function takesValue(arg: string, options: OptionSpec): boolean {
  if (arg.startsWith('--')) {
    if (arg.includes('=')) return false;
    return options[arg.slice(2)]?.type === 'string';
  }
  // A short option: -x takes the next argument only when x is a string option and nothing is glued.
  if (arg.length !== 2) return false;
  return Object.values(options).some((o) => o.short === arg[1] && o.type === 'string');
}

/** Split at the first positional or `--`: [procctl's options, the command]. */
function splitAtCommand(argv: readonly string[], options: OptionSpec): [string[], string[]] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [argv.slice(0, i), argv.slice(i + 1)];
    if (arg.startsWith('-') && arg !== '-') {
      if (takesValue(arg, options)) i++;
      continue;
    }
    return [argv.slice(0, i), argv.slice(i)];
  }
  return [[...argv], []];
}

/** parseArgs messages run to several sentences; keep the first, as one lowercase-led line. */
function shortParseMessage(error: Error): string {
  const first = (error.message.split(/\.\s/)[0] ?? error.message).replace(/\.$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** For an unknown option, the closest known one: `--timout` → `; did you mean '--timeout'?`. */
function suggestOption(error: Error, options: OptionSpec): string {
  if ((error as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const given = /'(--?[^'=]+)/.exec(error.message)?.[1];
  if (given === undefined || !given.startsWith('--')) return '';
  return didYouMean(given, Object.keys(options).map((name) => `--${name}`));
}

/**
 * Parse argv. With `command: true` (exec, init) option parsing stops at the first positional or
 * `--`, so the command's own options (`sh -c …`) are never read as procctl's.
 */
export function parseCommandLine(argv: readonly string[], options: OptionSpec, { command = false } = {}): CommandLine {
  const [own, rest] = command ? splitAtCommand(argv, options) : [[...argv], []];
  try {
    const { values, positionals } = parseArgs({ args: own, options, strict: true, allowPositionals: !command });
    return { values: values as CommandLine['values'], positionals, command: rest };
  } catch (error) {
    if (error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(shortParseMessage(error) + suggestOption(error, options));
    }
    throw error;
  }
}

/** Values of a repeatable string option (parseArgs gives undefined when absent). */
export function repeated(value: CommandLine['values'][string]): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The value of a single string option, or undefined. */
export function single(value: CommandLine['values'][string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** DURATION → milliseconds: a non-negative decimal number with an optional unit ms, s (default), m, h, d. */
export function parseDuration(text: string, option: string, maxMs = 2 ** 31 * 1000): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)?$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(`${option}: invalid duration '${text}'; use a number with an optional unit: 10, 1.5s, 250ms, 2m, 1h, 1d`);
  }
  // Round up: a positive duration never becomes 0 (which means "no timeout").
  const rounded = Math.ceil(ms);
  if (rounded > maxMs) throw new UsageError(`${option}: duration '${text}' is too long; at most ${maxMs} ms`);
  return rounded;
}

/** SIG → number: TERM, SIGTERM, term, 15, RTMIN+3, RTMAX-1. */
export function parseSignalArg(text: string, option: string): number {
  try {
    return parseSignal(text, option);
  } catch {
    throw new UsageError(`${option}: unknown signal '${text}'; use a name (TERM, SIGINT, RTMIN+3) or a number from 1 to ${SIGRTMAX}`);
  }
}

/** A repeatable SIG[,SIG] option → unique signal numbers, ascending. */
export function parseSignalListArgs(values: readonly string[], option: string): number[] {
  const out = new Set<number>();
  for (const value of values) {
    const items = value.split(',');
    if (items.some((item) => item.trim() === '')) throw new UsageError(`${option}: empty signal name in '${value}'`);
    for (const item of items) out.add(parseSignalArg(item.trim(), option));
  }
  return [...out].sort((a, b) => a - b);
}

/** A non-negative fd number. */
export function parseFdArg(text: string, option: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) > 2 ** 31 - 1) {
    throw new UsageError(`${option}: invalid file descriptor '${text}'; use a number such as 3`);
  }
  return Number(text);
}

/** A positive process id. */
export function parsePidArg(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 2 ** 22) {
    throw new UsageError(`invalid PID '${text}'; use a positive number`);
  }
  return Number(text);
}

/** NAME=VALUE → [NAME, VALUE]; NAME must be non-empty. */
export function parseEnvAssignment(text: string, option: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${option}: expected NAME=VALUE; got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

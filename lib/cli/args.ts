// Command-line parsing shared by every procctl command: the options (the syntax of node:util
// parseArgs in strict mode, parsed here: loading parseArgs alone costs about a millisecond of
// every start), plus the value syntaxes of the CLI contract (DURATION, SIG, fd numbers,
// NAME=VALUE, PID). Every problem becomes a UsageError whose message is one line; each command
// maps it to its own status.
import { SIGRTMAX, parseSignal } from '../signals.js';
import { didYouMean } from './suggest.js';

/** Bad command line: the command prints `procctl: <message>` and exits with its usage status. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One option: a flag (boolean) or one that takes a value (string); `multiple` collects every use. */
export interface OptionDefinition {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
}

export type OptionSpec = Readonly<Record<string, OptionDefinition>>;

export interface CommandLine {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
  /** COMMAND ARG... (only with `command: true`): everything from the first positional or after `--`. */
  command: string[];
}

/** The long name of short option letter c, if any. */
function longNameOf(c: string, options: OptionSpec): string | undefined {
  for (const name in options) if (options[name]?.short === c) return name;
  return undefined;
}

function takesValue(arg: string, options: OptionSpec): boolean {
  if (arg.startsWith('--')) {
    if (arg.includes('=')) return false;
    return options[arg.slice(2)]?.type === 'string';
  }
  // A short option: -x takes the next argument only when x is a string option and nothing is glued.
  if (arg.length !== 2) return false;
  return options[longNameOf(arg[1] as string, options) ?? '']?.type === 'string';
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

function unknownOption(raw: string, options: OptionSpec): UsageError {
  // `--timout` → `; did you mean '--timeout'?`
  const suggestion = raw.startsWith('--') ? didYouMean(raw, Object.keys(options).map((name) => `--${name}`)) : '';
  return new UsageError(`unknown option '${raw}'${suggestion}`);
}

/** Record one use of option `name` (given as `raw`); value undefined: the next argument, if any. */
function setOption(values: CommandLine['values'], options: OptionSpec, name: string, raw: string, inline: string | undefined, next: () => string | undefined): void {
  const option = options[name];
  if (option === undefined) throw unknownOption(raw, options);
  let value: string | boolean = true;
  if (option.type === 'boolean') {
    if (inline !== undefined) throw new UsageError(`option '${raw}' does not take an argument`);
  } else if (inline !== undefined) {
    value = inline;
  } else {
    const given = next();
    if (given === undefined) throw new UsageError(`option '${raw} <value>' argument missing`);
    // As parseArgs: "--signal -9" is more likely a forgotten value than a value.
    if (given.length > 1 && given.startsWith('-')) {
      const example = raw.startsWith('--') ? `'${raw}=-XYZ'` : `'--${name}=-XYZ' or '${raw}-XYZ'`;
      throw new UsageError(`option '${raw}' argument is ambiguous: for a value starting with a dash use ${example}`);
    }
    value = given;
  }
  if (option.multiple) ((values[name] ??= []) as Array<string | boolean>).push(value);
  else values[name] = value;
}

/** Options and positionals, as parseArgs({ strict: true }) reads them. */
function parseOptions(args: readonly string[], options: OptionSpec, allowPositionals: boolean): { values: CommandLine['values']; positionals: string[] } {
  const values: CommandLine['values'] = Object.create(null) as CommandLine['values'];
  const positionals: string[] = [];
  const positional = (arg: string): void => {
    if (!allowPositionals) throw new UsageError(`unexpected argument '${arg}'`);
    positionals.push(arg);
  };
  let i = 0;
  const next = (): string | undefined => (i < args.length ? args[i++] : undefined);
  while (i < args.length) {
    const arg = args[i++] as string;
    if (arg === '--') {
      while (i < args.length) positional(args[i++] as string);
    } else if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      setOption(values, options, name, `--${name}`, equals < 0 ? undefined : arg.slice(equals + 1), next);
    } else if (arg.startsWith('-') && arg !== '-') {
      // -x, -xVALUE (x takes a value), or a group of flags -abc (the last may take a value: -abfFILE).
      for (let k = 1; k < arg.length; k++) {
        const c = arg[k] as string;
        const name = longNameOf(c, options) ?? c;
        const rest = arg.slice(k + 1);
        if (options[name]?.type === 'string' && rest !== '') {
          setOption(values, options, name, `-${c}`, rest, next);
          break;
        }
        setOption(values, options, name, `-${c}`, undefined, next);
      }
    } else {
      positional(arg);
    }
  }
  return { values, positionals };
}

/**
 * Parse argv. With `command: true` (exec, init) option parsing stops at the first positional or
 * `--`, so the command's own options (`sh -c …`) are never read as procctl's.
 */
export function parseCommandLine(argv: readonly string[], options: OptionSpec, { command = false } = {}): CommandLine {
  const [own, rest] = command ? splitAtCommand(argv, options) : [[...argv], []];
  const { values, positionals } = parseOptions(own, options, !command);
  return { values, positionals, command: rest };
}

/** Values of a repeatable string option (undefined when absent). */
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

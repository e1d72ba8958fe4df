// Validation of spawn() and exec() options: one validator per option family. Everything is checked
// here, before the first pipe or process exists, so bad input never leaves anything behind. Each
// TypeError/RangeError names the option, echoes the value and says what is valid.
//
// The user's options object is copied into a null-prototype object first: a polluted
// Object.prototype (say `Object.prototype.uid = 0`) can neither inject an option nor hide one.
import { readEffectiveCapabilities } from './proc/status.js';
import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable, Stream } from 'node:stream';
import { DEFAULT_STOP_SIGNAL, UNCATCHABLE, parseSignal, parseSignalList } from './signals.js';
import { DEFAULT_PATH } from './path-search.js';

// ---------------------------------------------------------------------------------------------
// Public option types

/** What a child fd is connected to: a new pipe, /dev/null, the parent's same fd, or a given fd. */
export type StdioName = 'pipe' | 'ignore' | 'inherit';
/** A stream that owns an fd: fs streams once open, process.stdout, a net.Socket, … */
export interface StreamWithFd {
  readonly fd?: number | null;
}
export type StdioEntry = StdioName | number | StreamWithFd | Stream | null | undefined;
/** The `stdio` option: one name for fds 0–2, or one entry per child fd. */
export type StdioOption = StdioName | readonly StdioEntry[];

/** An rlimit: one value for soft and hard, [soft, hard] or {soft, hard}; Infinity or 'unlimited'. */
export type RlimitValue = number | 'unlimited' | readonly [number | 'unlimited', number | 'unlimited'] | {
  readonly soft: number | 'unlimited';
  readonly hard: number | 'unlimited';
};
export type RlimitName =
  | 'as' | 'core' | 'cpu' | 'data' | 'fsize' | 'locks' | 'memlock' | 'msgqueue' | 'nice' | 'nofile'
  | 'nproc' | 'rss' | 'rtprio' | 'rttime' | 'sigpending' | 'stack';

/** The signal names of Linux, as the kernel headers spell them (lib/signals.ts has the numbers). */
export type StandardSignalName =
  | 'SIGHUP' | 'SIGINT' | 'SIGQUIT' | 'SIGILL' | 'SIGTRAP' | 'SIGABRT' | 'SIGIOT' | 'SIGBUS' | 'SIGFPE'
  | 'SIGKILL' | 'SIGUSR1' | 'SIGSEGV' | 'SIGUSR2' | 'SIGPIPE' | 'SIGALRM' | 'SIGTERM' | 'SIGSTKFLT'
  | 'SIGCHLD' | 'SIGCLD' | 'SIGCONT' | 'SIGSTOP' | 'SIGTSTP' | 'SIGTTIN' | 'SIGTTOU' | 'SIGURG'
  | 'SIGXCPU' | 'SIGXFSZ' | 'SIGVTALRM' | 'SIGPROF' | 'SIGWINCH' | 'SIGIO' | 'SIGPOLL' | 'SIGPWR'
  | 'SIGSYS' | 'SIGUNUSED';
/** Realtime signals: SIGRTMIN+n counts up from SIGRTMIN, SIGRTMAX-n down from SIGRTMAX. */
export type RealtimeSignalName = 'SIGRTMIN' | 'SIGRTMAX' | `SIGRTMIN+${number}` | `SIGRTMAX-${number}`;
/** A signal name with SIG ('SIGTERM', 'SIGRTMIN+3') or without ('TERM', 'RTMIN+3'). */
export type SignalName =
  | StandardSignalName | RealtimeSignalName
  | (StandardSignalName | RealtimeSignalName extends `SIG${infer Short}` ? Short : never);
/**
 * A signal: a known name (a misspelt one such as 'SIGTREM' does not compile) or a number from 1
 * to 64. At run time names are also accepted in any case ('term'), and checked again.
 */
export type SignalLike = SignalName | number;

export interface SpawnOptions {
  /**
   * Working directory of the child (string or file: URL).
   * @default process.cwd()
   */
  cwd?: string | URL;
  /**
   * The child's whole environment; when given, nothing of process.env leaks in.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
  /**
   * argv[0] as the child sees it.
   * @default file
   */
  argv0?: string;
  /**
   * Entry i is the child's fd i; a string applies to fds 0–2. A fixed tuple types the streams:
   * `['ignore', 'pipe', 'inherit']` gives `stdout: Readable` and `stdin: null`.
   * @default 'pipe'
   */
  stdio?: StdioOption;
  /**
   * 'new': the child leads a new group; 'inherit': stays in ours; a pgid: joins it.
   * @default 'new'
   */
  group?: 'new' | 'inherit' | number;
  /**
   * true: setsid() in the child (a new session and group).
   * @default false
   */
  session?: boolean;
  /**
   * true: the child's group becomes the foreground group of the terminal on its stdin before it
   * execs (tcsetpgrp in the child, as a job-control shell starts a foreground job), so it can read
   * the terminal from its first instruction and Ctrl-C/Ctrl-Z reach it. Needs a group of its own in
   * this session (group 'new' or a pgid, no session); a stdin that is not this session's
   * terminal fails the spawn at stage 'terminal' (ENOTTY). Taking the terminal back is the
   * caller's job.
   * @default false
   */
  takeTerminal?: boolean;
  /**
   * Every disposition 1..SIGRTMAX back to SIG_DFL and the mask emptied before exec.
   * @default true
   */
  resetSignals?: boolean;
  /**
   * Signals the child starts with ignored (SIG_IGN, applied after the reset). Not SIGKILL/SIGSTOP.
   * @default []
   */
  ignoreSignals?: readonly SignalLike[];
  /**
   * The child's signal mask at exec. Not SIGKILL/SIGSTOP.
   * @default [] (an empty mask; with resetSignals: false, the caller's mask)
   */
  blockSignals?: readonly SignalLike[];
  /**
   * Signals set back to SIG_DFL even when resetSignals is false.
   * @default []
   */
  defaultSignals?: readonly SignalLike[];
  /**
   * No fd beyond the stdio array survives into the child.
   * @default true
   */
  closeFds?: boolean;
  /**
   * User id to run as (setuid before exec; needs privilege).
   * @default unchanged (this process's uid)
   */
  uid?: number;
  /**
   * Group id to run as (setgid before exec; needs privilege).
   * @default unchanged (this process's gid)
   */
  gid?: number;
  /**
   * Supplementary group ids (setgroups). A uid or gid change without groups clears them.
   * @default unchanged; [] when uid or gid is given and this process holds CAP_SETGID
   */
  groups?: readonly number[];
  /**
   * File mode creation mask of the child, 0 to 0o777.
   * @default unchanged (this process's umask)
   */
  umask?: number;
  /**
   * Resource limits set with prlimit before exec, e.g. `{nofile: 1024, core: 0}`.
   * @default {} (the caller's limits)
   */
  rlimits?: Partial<Record<RlimitName, RlimitValue>>;
  /**
   * Signal the child receives when this thread dies (PR_SET_PDEATHSIG); null: none.
   * @default null
   */
  deathSignal?: SignalLike | null;
  /**
   * Absolute path of a cgroup v2 directory the child joins before exec.
   * @default none (the caller's cgroup)
   */
  cgroup?: string;
  /**
   * PR_SET_NO_NEW_PRIVS: exec cannot gain privileges (setuid bits, file capabilities).
   * @default false
   */
  noNewPrivs?: boolean;
  /**
   * Prepend node_modules/.bin of cwd and of each parent directory to PATH, nearest first, for the
   * search of `file` and in the child's environment.
   * @default false
   */
  preferLocal?: boolean;
  /**
   * Milliseconds; when it expires the group gets killSignal, then SIGKILL after killAfter. 0: none.
   * @default 0
   */
  timeout?: number;
  /**
   * First signal of a stop by timeout, abort or maxBuffer.
   * @default 'SIGTERM'
   */
  killSignal?: SignalLike;
  /**
   * Milliseconds from killSignal to SIGKILL; Infinity: never escalate.
   * @default 5000
   */
  killAfter?: number;
  /**
   * Aborting kills the group the same way a timeout does.
   * @default none
   */
  signal?: AbortSignal;
}

export interface ExecOptions extends SpawnOptions {
  /**
   * Written to stdin, which is then closed. Without input, stdin is /dev/null.
   * @default none
   */
  input?: string | Buffer | Uint8Array | Readable;
  /**
   * A Buffer encoding for strings, or 'buffer' for Buffers.
   * @default 'utf8'
   */
  encoding?: BufferEncoding | 'buffer';
  /**
   * Bytes per stream; beyond it the output is cut and the group killed.
   * @default 67108864 (64 MiB)
   */
  maxBuffer?: number;
  /**
   * Milliseconds to wait for the pipes to close after the process exits.
   * @default 100
   */
  drainTimeout?: number;
  /**
   * Reject with ProcessError on non-zero exit, signal, timeout or abort.
   * @default true
   */
  reject?: boolean;
  /**
   * Also collect stdout and stderr interleaved, in the order they arrived, as `result.all`.
   * @default false
   */
  all?: boolean;
  /**
   * Remove one final newline ('\n' or '\r\n') from stdout, stderr and all.
   * @default false
   */
  stripFinalNewline?: boolean;
  /**
   * Split stdout, stderr and all into arrays of lines ('\n' or '\r\n'; a last line without a
   * newline is kept). Not with encoding 'buffer'.
   * @default false
   */
  lines?: boolean;
}

/** The stdio option an options type carries (undefined when it has none). */
export type StdioOf<Options> = Options extends { readonly stdio?: infer S } ? (unknown extends S ? undefined : S) : undefined;

type EntryStream<Entry, T> = [Entry] extends ['pipe' | undefined | null]
  ? T
  : [Entry] extends [Exclude<Entry, 'pipe' | undefined | null>] ? null : T | null;

type EntryAt<S extends readonly unknown[], Fd extends 0 | 1 | 2> = Fd extends 0
  ? (S extends readonly [infer E, ...unknown[]] ? E : undefined)
  : Fd extends 1
    ? (S extends readonly [unknown, infer E, ...unknown[]] ? E : undefined)
    : (S extends readonly [unknown, unknown, infer E, ...unknown[]] ? E : undefined);

/**
 * The parent's stream on child fd 0, 1 or 2 for a stdio option: T where the option makes it a
 * pipe, null where it cannot be one, `T | null` where the type does not say.
 */
export type StdioStreamOf<S, Fd extends 0 | 1 | 2, T> = [S] extends [undefined | 'pipe']
  ? T
  : [S] extends ['ignore' | 'inherit']
    ? null
    : S extends readonly unknown[]
      ? number extends S['length'] ? T | null : EntryStream<EntryAt<S, Fd>, T>
      : T | null;

/** What exec() resolves each output to for an options type: lines, Buffers or strings. */
export type ExecOutputOf<Options> = Options extends { readonly lines: true }
  ? string[]
  : Options extends { readonly encoding: 'buffer' } ? Buffer : string;

// ---------------------------------------------------------------------------------------------
// Normalized forms

export type StdioPlanEntry = { kind: 'pipe' } | { kind: 'ignore' } | { kind: 'fd'; fd: number };

/** Validated, normalized spawn request: everything native.spawn needs except pipes and PATH. */
export interface SpawnPlan {
  file: string;
  args: string[];
  argv0: string;
  cwd: string | null;
  /** 'NAME=value' entries. */
  envp: string[] | null;
  /** PATH used to search for file (the child's, when env was given). */
  searchPath: string;
  stdio: StdioPlanEntry[];
  /** -1 caller's group, 0 new group, >0 join. */
  pgid: number;
  setsid: boolean;
  takeTerminal: boolean;
  resetSignals: boolean;
  defaultSignals: number[];
  ignoreSignals: number[];
  mask: number[] | null;
  closeFds: boolean;
  uid: number;
  gid: number;
  groups: number[] | null;
  umask: number;
  rlimits: Array<[number, number, number]>;
  deathSignal: number;
  cgroup: string | null;
  noNewPrivs: boolean;
  timeout: number;
  killSignal: number;
  killAfter: number;
  abortSignal: AbortSignal | null;
}

export interface ExecPlan {
  spawn: SpawnPlan;
  input: string | Buffer | Uint8Array | Readable | null;
  encoding: BufferEncoding | 'buffer';
  maxBuffer: number;
  drainTimeout: number;
  reject: boolean;
  all: boolean;
  stripFinalNewline: boolean;
  lines: boolean;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the validators

/** The value as an error message shows it: short, one line. */
export function echo(value: unknown): string {
  const text = inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 80 });
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function typeError(option: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${option} must be ${expected}; got ${echo(value)}`);
}

function rangeError(option: string, expected: string, value: unknown): RangeError {
  return new RangeError(`${option} must be ${expected}; got ${echo(value)}`);
}

/** A string without NUL bytes (they would silently cut the C string the kernel sees). */
function checkCString(value: unknown, option: string, what = 'a string'): string {
  if (typeof value !== 'string') throw typeError(option, `${what} without NUL bytes`, value);
  if (value.includes('\0')) throw typeError(option, `${what} without NUL bytes`, value);
  return value;
}

function checkBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(option, 'true or false', value);
  return value;
}

/** Milliseconds: a finite number >= 0, or Infinity when allowInfinity. */
export function checkMilliseconds(value: unknown, option: string, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  const expected = `a number of milliseconds >= 0${allowInfinity ? ' or Infinity' : ''}`;
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(option, expected, value);
  if (value < 0 || (!allowInfinity && !Number.isFinite(value))) throw rangeError(option, expected, value);
  return value;
}

/** setTimeout's longest delay: a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 0x7fffffff;

/**
 * Milliseconds that end up in one setTimeout: 0 ..= 2147483647 (or Infinity when allowInfinity,
 * which the caller never arms). Longer delays would silently fire at once.
 */
export function checkTimerMilliseconds(value: unknown, option: string, fallback: number, allowInfinity = false): number {
  const ms = checkMilliseconds(value, option, fallback, allowInfinity);
  if (Number.isFinite(ms) && ms > MAX_TIMER_MS) {
    throw rangeError(option, `at most ${MAX_TIMER_MS} ms (the longest timer)${allowInfinity ? ' or Infinity' : ''}`, ms);
  }
  return ms;
}

/** A kernel id (uid, gid): 0 ..= 2^32-2 (2^32-1 is the "no change" value of set*id). */
function checkId(value: unknown, option: string): number {
  const expected = 'an integer from 0 to 4294967294';
  if (typeof value !== 'number') throw typeError(option, expected, value);
  if (!Number.isInteger(value) || value < 0 || value > 4294967294) throw rangeError(option, expected, value);
  return value;
}

/** Copy into a null-prototype object, rejecting names this function does not know. */
function copyOptions(value: unknown, known: ReadonlySet<string>, what: string): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  if (value === undefined || value === null) return copy;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('options', 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      const article = /^[aeiou]/i.test(what) ? 'an' : 'a';
      throw new TypeError(`options.${key} is not ${article} ${what} option; valid options: ${[...known].join(', ')}`);
    }
    copy[key] = (value as Record<string, unknown>)[key];
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// One validator per option family

/** file and args: strings without NUL; file not empty. */
export function validateCommand(file: unknown, args: unknown): { file: string; args: string[] } {
  checkCString(file, 'file');
  if (file === '') throw typeError('file', 'a non-empty string', file);
  if (args === undefined || args === null) return { file: file as string, args: [] };
  if (!Array.isArray(args)) throw typeError('args', 'an array of strings', args);
  // By index, not map(): map() skips the holes of a sparse array ([, 'a']) and keeps them as holes.
  const checked: string[] = [];
  for (let i = 0; i < args.length; i++) checked.push(checkCString(args[i], `args[${i}]`));
  return { file: file as string, args: checked };
}

export function validateCwd(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw typeError('cwd', 'a path string or a file: URL', value.href);
    return checkCString(fileURLToPath(value), 'cwd');
  }
  const cwd = checkCString(value, 'cwd', 'a path string or a file: URL');
  if (cwd === '') throw typeError('cwd', 'a non-empty path', value);
  return cwd;
}

/**
 * env: the child's whole environment as 'NAME=value' entries (undefined values are dropped).
 * Without `env`, the main thread passes null: the native side then hands the C library's environ
 * to execve, which Node keeps in sync with process.env there, instead of copying every variable
 * on every spawn. A worker's process.env is its own copy, so workers always pass entries.
 */
export function validateEnv(value: unknown): { envp: string[] | null; path: string | undefined } {
  if (value === undefined || value === null) {
    return { envp: isMainThread ? null : environToEnvp(process.env), path: process.env.PATH };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw typeError('env', 'an object of NAME: value strings', value);
  }
  const envp: string[] = [];
  let path: string | undefined;
  for (const [name, raw] of Object.entries(value)) {
    if (raw === undefined) continue;
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw typeError(`env name ${echo(name)}`, 'a non-empty name without "=" or NUL bytes', name);
    }
    if (typeof raw !== 'string') throw typeError(`env.${name}`, 'a string', raw);
    checkCString(raw, `env.${name}`);
    if (name === 'PATH') path = raw;
    envp.push(`${name}=${raw}`);
  }
  return { envp, path };
}

function environToEnvp(env: NodeJS.ProcessEnv): string[] {
  const envp: string[] = [];
  for (const name of Object.keys(env)) {
    const raw = env[name];
    if (raw !== undefined) envp.push(`${name}=${raw}`);
  }
  return envp;
}

export function validateArgv0(value: unknown, file: string): string {
  if (value === undefined) return file;
  return checkCString(value, 'argv0');
}

/** The fd of a stream passed in stdio: fs streams and process.stdout expose .fd, sockets a handle. */
function streamFd(entry: object): number | undefined {
  const direct = (entry as { fd?: unknown }).fd;
  if (typeof direct === 'number') return direct;
  const handle = (entry as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : undefined;
}

function isFdNumber(fd: number): boolean {
  return Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff;
}

function validateStdioEntry(entry: unknown, index: number): StdioPlanEntry {
  const option = `stdio[${index}]`;
  const expected = `'pipe', 'ignore', 'inherit', an fd number >= 0 or a stream with an fd`;
  if (entry === undefined || entry === null) return { kind: index < 3 ? 'pipe' : 'ignore' };
  if (entry === 'pipe' || entry === 'ignore') return { kind: entry };
  if (entry === 'inherit') return { kind: 'fd', fd: index };
  if (typeof entry === 'number') {
    if (!isFdNumber(entry)) throw rangeError(option, expected, entry);
    return { kind: 'fd', fd: entry };
  }
  if (typeof entry === 'object') {
    const fd = streamFd(entry);
    if (fd === undefined || fd < 0) throw typeError(option, `${expected} (this stream has no open fd)`, entry);
    if (!isFdNumber(fd)) throw rangeError(`${option}.fd`, 'an integer fd from 0 to 2147483647', fd);
    return { kind: 'fd', fd };
  }
  throw typeError(option, expected, entry);
}

export function validateStdio(value: unknown): StdioPlanEntry[] {
  if (value === undefined || value === null) return [{ kind: 'pipe' }, { kind: 'pipe' }, { kind: 'pipe' }];
  if (typeof value === 'string') {
    if (value !== 'pipe' && value !== 'ignore' && value !== 'inherit') {
      throw typeError('stdio', `'pipe', 'ignore', 'inherit' or an array of them`, value);
    }
    return [0, 1, 2].map((i) => validateStdioEntry(value, i));
  }
  if (!Array.isArray(value)) throw typeError('stdio', `'pipe', 'ignore', 'inherit' or an array`, value);
  if (value.length > 1024) throw rangeError('stdio', 'an array of at most 1024 entries', value.length);
  const plan: StdioPlanEntry[] = [];
  // Iterate by index, not forEach: holes in a sparse array count as unset entries.
  for (let i = 0; i < Math.max(3, value.length); i++) plan.push(validateStdioEntry(value[i], i));
  return plan;
}

/**
 * group, session and takeTerminal: the child's process group (-1 ours, 0 new, >0 join), setsid,
 * and whether its group takes the terminal.
 */
export function validateGrouping(group: unknown, session: unknown, takeTerminal?: unknown): { pgid: number; setsid: boolean; takeTerminal: boolean } {
  const setsid = checkBoolean(session, 'session', false);
  const takes = checkBoolean(takeTerminal, 'takeTerminal', false);
  let pgid: number;
  if (group === undefined || group === 'new') pgid = 0;
  else if (group === 'inherit') pgid = -1;
  else if (typeof group === 'number') {
    if (!Number.isInteger(group) || group < 1 || group > 4194304) {
      throw rangeError('group', `'new', 'inherit' or a process group id from 1 to 4194304`, group);
    }
    pgid = group;
  } else throw typeError('group', `'new', 'inherit' or a process group id`, group);
  if (setsid && pgid !== 0) {
    throw new TypeError(
      `group ${echo(group)} cannot be combined with session: true (a new session always leads a new group); use group 'new' or omit it`,
    );
  }
  if (takes && (setsid || pgid === -1)) {
    throw new TypeError(
      `takeTerminal: true needs the child in a group of its own in this session (group 'new' or a pgid, without session); got ${setsid ? 'session: true' : "group 'inherit'"}`,
    );
  }
  return { pgid, setsid, takeTerminal: takes };
}

function checkSignalList(value: unknown, option: string): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError(option, 'an array of signal names or numbers', value);
  return parseSignalList(value, option);
}

/** resetSignals, ignoreSignals, blockSignals, defaultSignals → dispositions and the mask. */
export function validateSignalSetup(options: Record<string, unknown>): {
  resetSignals: boolean;
  defaultSignals: number[];
  ignoreSignals: number[];
  mask: number[] | null;
} {
  const resetSignals = checkBoolean(options.resetSignals, 'resetSignals', true);
  const ignoreSignals = checkSignalList(options.ignoreSignals, 'ignoreSignals');
  const blockSignals = checkSignalList(options.blockSignals, 'blockSignals');
  // SIGKILL and SIGSTOP are always SIG_DFL (sigaction refuses them): nothing to do for those.
  const defaultSignals = checkSignalList(options.defaultSignals, 'defaultSignals').filter((n) => !UNCATCHABLE.has(n));
  for (const [option, list] of [['ignoreSignals', ignoreSignals], ['blockSignals', blockSignals]] as const) {
    const bad = list.find((n) => UNCATCHABLE.has(n));
    if (bad !== undefined) {
      throw rangeError(option, 'signals other than SIGKILL and SIGSTOP (the kernel refuses those)', options[option]);
    }
  }
  const both = ignoreSignals.find((n) => defaultSignals.includes(n));
  if (both !== undefined) {
    throw new TypeError(
      `ignoreSignals and defaultSignals both name signal ${both}; got ignoreSignals ${echo(options.ignoreSignals)}, defaultSignals ${echo(options.defaultSignals)}`,
    );
  }
  const blocked = options.blockSignals === undefined || options.blockSignals === null ? null : blockSignals;
  return { resetSignals, defaultSignals, ignoreSignals, mask: blocked ?? (resetSignals ? [] : null) };
}

/** capabilities(7): CAP_SETGID lets a process set its supplementary groups. */
const CAP_SETGID = 6n;

/** CAP_SETGID in this process's effective capability set. */
function hasCapSetgid(): boolean {
  try {
    return ((readEffectiveCapabilities('self') >> CAP_SETGID) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * The supplementary groups a uid/gid change implies: none ([]) when this process may clear them
 * (CAP_SETGID). Without that capability setgroups() would fail with EPERM, and such a caller has
 * no privileged groups to shed, so they are left as they are (libuv likewise ignores the failure).
 */
function implicitGroups(): number[] | null {
  return hasCapSetgid() ? [] : null;
}

/**
 * uid, gid, groups: -1 / null mean unchanged. A uid or gid change without `groups` clears the
 * supplementary groups (as Go does): keeping the caller's (root's) groups after dropping to
 * another user would silently keep their privileges.
 */
export function validateCredentials(options: Record<string, unknown>): { uid: number; gid: number; groups: number[] | null } {
  const uid = options.uid === undefined ? -1 : checkId(options.uid, 'uid');
  const gid = options.gid === undefined ? -1 : checkId(options.gid, 'gid');
  let groups: number[] | null = uid === -1 && gid === -1 ? null : implicitGroups();
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups)) throw typeError('groups', 'an array of group ids', options.groups);
    if (options.groups.length > 65536) throw rangeError('groups', 'at most 65536 group ids', options.groups.length);
    groups = options.groups.map((g: unknown, i) => checkId(g, `groups[${i}]`));
  }
  return { uid, gid, groups };
}

export function validateUmask(value: unknown): number {
  if (value === undefined) return -1;
  const expected = 'an integer from 0 to 0o777';
  if (typeof value !== 'number') throw typeError('umask', expected, value);
  if (!Number.isInteger(value) || value < 0 || value > 0o777) throw rangeError('umask', expected, value);
  return value;
}

/** Resource numbers of <sys/resource.h>, named as prlimit(1) names them. */
const RLIMITS: Readonly<Record<RlimitName, number>> = Object.freeze({
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
});

function checkLimit(value: unknown, option: string): number {
  const expected = `an integer >= 0, Infinity or 'unlimited'`;
  if (value === 'unlimited' || value === Infinity) return Infinity;
  if (typeof value !== 'number') throw typeError(option, expected, value);
  if (!Number.isSafeInteger(value) || value < 0) throw rangeError(option, expected, value);
  return value;
}

function parseRlimit(name: string, value: unknown): [number, number] {
  const option = `rlimits.${name}`;
  if (Array.isArray(value)) {
    if (value.length !== 2) throw typeError(option, 'a limit, [soft, hard] or {soft, hard}', value);
    return [checkLimit(value[0], `${option}[0] (soft)`), checkLimit(value[1], `${option}[1] (hard)`)];
  }
  if (typeof value === 'object' && value !== null) {
    const { soft, hard } = value as { soft?: unknown; hard?: unknown };
    return [checkLimit(soft, `${option}.soft`), checkLimit(hard, `${option}.hard`)];
  }
  const both = checkLimit(value, option);
  return [both, both];
}

/** rlimits: {nofile: 1024 | [soft, hard] | {soft, hard}, …} → [resource, soft, hard] triples. */
export function validateRlimits(value: unknown): Array<[number, number, number]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('rlimits', 'an object such as {nofile: 1024}', value);
  const out: Array<[number, number, number]> = [];
  for (const [name, limit] of Object.entries(value)) {
    const resource = Object.hasOwn(RLIMITS, name) ? RLIMITS[name as RlimitName] : undefined;
    if (resource === undefined) {
      throw new TypeError(`rlimits.${name} is not a resource limit; valid names: ${Object.keys(RLIMITS).join(', ')}`);
    }
    const [soft, hard] = parseRlimit(name, limit);
    if (soft > hard) throw rangeError(`rlimits.${name}`, 'a soft limit no greater than the hard limit', limit);
    out.push([resource, soft, hard]);
  }
  return out;
}

export function validateDeathSignal(value: unknown): number {
  if (value === undefined || value === null || value === 0) return 0;
  return parseSignal(value, 'deathSignal');
}

export function validateCgroup(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const path = checkCString(value, 'cgroup', 'an absolute path string');
  if (!isAbsolute(path)) throw typeError('cgroup', 'an absolute path of a cgroup v2 directory', value);
  return path;
}

/** timeout, killSignal, killAfter: how a timeout (or abort) stops the group. */
export function validateTimeouts(options: Record<string, unknown>): { timeout: number; killSignal: number; killAfter: number } {
  const timeout = checkTimerMilliseconds(options.timeout, 'timeout', 0);
  const killSignal = options.killSignal === undefined ? DEFAULT_STOP_SIGNAL : parseSignal(options.killSignal, 'killSignal');
  const killAfter = checkTimerMilliseconds(options.killAfter, 'killAfter', 5000, true);
  return { timeout, killSignal, killAfter };
}

export function validateAbortSignal(value: unknown): AbortSignal | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof AbortSignal)) throw typeError('signal', 'an AbortSignal', value);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Entry points

const SPAWN_OPTION_NAMES: ReadonlySet<string> = new Set([
  'cwd', 'env', 'argv0', 'stdio', 'group', 'session', 'takeTerminal', 'resetSignals', 'ignoreSignals', 'blockSignals',
  'defaultSignals', 'closeFds', 'uid', 'gid', 'groups', 'umask', 'rlimits', 'deathSignal', 'cgroup',
  'noNewPrivs', 'preferLocal', 'timeout', 'killSignal', 'killAfter', 'signal',
]);

const EXEC_OPTION_NAMES: ReadonlySet<string> = new Set([
  ...SPAWN_OPTION_NAMES, 'input', 'encoding', 'maxBuffer', 'drainTimeout', 'reject', 'all', 'stripFinalNewline', 'lines',
]);

/** spawn(file, options) is accepted as spawn(file, [], options), as node:child_process does. */
export function splitArguments(args: unknown, options: unknown): [unknown, unknown] {
  if (options === undefined && args !== null && typeof args === 'object' && !Array.isArray(args)) {
    return [undefined, args];
  }
  return [args, options];
}

/**
 * rlimits apply before the child's fds are placed: a soft nofile limit at or below the highest
 * child fd would make the placement fail with a bare EBADF.
 */
function checkNofileRoom(rlimits: ReadonlyArray<[number, number, number]>, stdio: readonly StdioPlanEntry[], value: unknown): void {
  const nofile = rlimits.find(([resource]) => resource === RLIMITS.nofile);
  if (nofile === undefined) return;
  let needed = 0;
  stdio.forEach((entry, fd) => {
    if (entry.kind !== 'ignore' || fd < 3) needed = fd + 1;
  });
  if (nofile[1] < needed) {
    throw rangeError(
      'rlimits.nofile',
      `a soft limit of at least ${needed}: the child needs fds 0-${needed - 1} for its stdio, and the limit applies before they are placed`,
      value,
    );
  }
}

/** node_modules/.bin of dir and of every directory above it, nearest first. */
function localBinDirs(dir: string): string[] {
  const dirs: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    dirs.push(join(at, 'node_modules', '.bin'));
    if (dirname(at) === at) return dirs;
  }
}

/**
 * preferLocal: the local bin directories go in front of PATH, both where `file` is searched and in
 * the child's environment (so a script it runs finds them too).
 */
function preferLocalPath(
  env: { envp: string[] | null; path: string | undefined },
  cwd: string | null,
): { envp: string[]; path: string } {
  const path = [...localBinDirs(cwd ?? process.cwd()), env.path ?? DEFAULT_PATH].join(':');
  const envp = (env.envp ?? environToEnvp(process.env)).filter((entry) => !entry.startsWith('PATH='));
  envp.push(`PATH=${path}`);
  return { envp, path };
}

function buildSpawnPlan(file: unknown, args: unknown, o: Record<string, unknown>): SpawnPlan {
  const command = validateCommand(file, args);
  const cwd = validateCwd(o.cwd);
  let env = validateEnv(o.env);
  if (checkBoolean(o.preferLocal, 'preferLocal', false)) env = preferLocalPath(env, cwd);
  const stdio = validateStdio(o.stdio);
  const rlimits = validateRlimits(o.rlimits);
  checkNofileRoom(rlimits, stdio, (o.rlimits as { nofile?: unknown } | null | undefined)?.nofile);
  return {
    file: command.file,
    args: command.args,
    argv0: validateArgv0(o.argv0, command.file),
    cwd,
    envp: env.envp,
    searchPath: env.path ?? DEFAULT_PATH,
    stdio,
    ...validateGrouping(o.group, o.session, o.takeTerminal),
    ...validateSignalSetup(o),
    closeFds: checkBoolean(o.closeFds, 'closeFds', true),
    ...validateCredentials(o),
    umask: validateUmask(o.umask),
    rlimits,
    deathSignal: validateDeathSignal(o.deathSignal),
    cgroup: validateCgroup(o.cgroup),
    noNewPrivs: checkBoolean(o.noNewPrivs, 'noNewPrivs', false),
    ...validateTimeouts(o),
    abortSignal: validateAbortSignal(o.signal),
  };
}

export function validateSpawnOptions(file: unknown, args: unknown, options: unknown): SpawnPlan {
  return buildSpawnPlan(file, args, copyOptions(options, SPAWN_OPTION_NAMES, 'spawn()'));
}

function validateInput(value: unknown): ExecPlan['input'] {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'object' && typeof (value as Readable).pipe === 'function') return value as Readable;
  throw typeError('input', 'a string, Buffer, Uint8Array or Readable stream', value);
}

function validateEncoding(value: unknown): BufferEncoding | 'buffer' {
  if (value === undefined) return 'utf8';
  if (value === 'buffer' || (typeof value === 'string' && Buffer.isEncoding(value))) return value as BufferEncoding | 'buffer';
  throw typeError('encoding', `'buffer' or a Buffer encoding such as 'utf8', 'latin1', 'base64'`, value);
}

export function validateMaxBuffer(value: unknown): number {
  if (value === undefined) return 64 * 1024 * 1024;
  const expected = 'an integer number of bytes >= 1, or Infinity';
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('maxBuffer', expected, value);
  if (value !== Infinity && (!Number.isSafeInteger(value) || value < 1)) throw rangeError('maxBuffer', expected, value);
  return value;
}

export function validateExecOptions(file: unknown, args: unknown, options: unknown): ExecPlan {
  const o = copyOptions(options, EXEC_OPTION_NAMES, 'exec()');
  const input = validateInput(o.input);
  // exec owns stdout/stderr; stdin is a pipe only when there is input to write.
  if (o.stdio === undefined) o.stdio = [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  const spawn = buildSpawnPlan(file, args, o);
  if (input !== null && spawn.stdio[0]?.kind !== 'pipe') {
    throw new TypeError(`input needs stdio[0] to be 'pipe'; got stdio ${echo(o.stdio)}`);
  }
  const encoding = validateEncoding(o.encoding);
  const lines = checkBoolean(o.lines, 'lines', false);
  if (lines && encoding === 'buffer') {
    throw new TypeError(`lines: true needs a text encoding; got encoding 'buffer' (use 'utf8' or leave encoding out)`);
  }
  return {
    spawn,
    input,
    encoding,
    maxBuffer: validateMaxBuffer(o.maxBuffer),
    drainTimeout: checkTimerMilliseconds(o.drainTimeout, 'drainTimeout', 100),
    reject: checkBoolean(o.reject, 'reject', true),
    all: checkBoolean(o.all, 'all', false),
    stripFinalNewline: checkBoolean(o.stripFinalNewline, 'stripFinalNewline', false),
    lines,
  };
}

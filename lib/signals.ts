// The one signal table of procctl: names ↔ numbers for Linux (x86_64 and arm64 share numbering),
// realtime signals as RTMIN+n / RTMAX-n. Used by the options validators, the CLI and inspect.
//
// SIGRTMIN is the C library's value, as `kill -l` prints it: glibc reserves 32 and 33 for its
// threads, so RTMIN is 34. The native layer reports the value it was built against
// (native().constants.SIGRTMIN) and a test checks the two agree.

export const SIGRTMIN = 34;
export const SIGRTMAX = 64;
/** Highest signal number on Linux. */
export const NSIG_MAX = 64;

const STANDARD: ReadonlyArray<readonly [number, string]> = [
  [1, 'SIGHUP'], [2, 'SIGINT'], [3, 'SIGQUIT'], [4, 'SIGILL'], [5, 'SIGTRAP'], [6, 'SIGABRT'],
  [7, 'SIGBUS'], [8, 'SIGFPE'], [9, 'SIGKILL'], [10, 'SIGUSR1'], [11, 'SIGSEGV'], [12, 'SIGUSR2'],
  [13, 'SIGPIPE'], [14, 'SIGALRM'], [15, 'SIGTERM'], [16, 'SIGSTKFLT'], [17, 'SIGCHLD'],
  [18, 'SIGCONT'], [19, 'SIGSTOP'], [20, 'SIGTSTP'], [21, 'SIGTTIN'], [22, 'SIGTTOU'],
  [23, 'SIGURG'], [24, 'SIGXCPU'], [25, 'SIGXFSZ'], [26, 'SIGVTALRM'], [27, 'SIGPROF'],
  [28, 'SIGWINCH'], [29, 'SIGIO'], [30, 'SIGPWR'], [31, 'SIGSYS'],
];

/** Other spellings the kernel headers accept. */
const ALIASES: ReadonlyArray<readonly [string, number]> = [
  ['SIGIOT', 6], ['SIGCLD', 17], ['SIGPOLL', 29], ['SIGUNUSED', 31],
];

const byNumber = new Map<number, string>();
const byName = new Map<string, number>();
for (const [n, name] of STANDARD) {
  byNumber.set(n, name);
  byName.set(name, n);
}
for (const [name, n] of ALIASES) byName.set(name, n);

/** The number of a standard signal by its name; the named constants and sets below come from the table. */
function standard(name: string): number {
  const n = byName.get(name);
  if (n === undefined) throw new Error(`no standard signal ${name}`);
  return n;
}

export const SIGHUP = standard('SIGHUP');
export const SIGINT = standard('SIGINT');
export const SIGQUIT = standard('SIGQUIT');
export const SIGKILL = standard('SIGKILL');
export const SIGPIPE = standard('SIGPIPE');
export const SIGTERM = standard('SIGTERM');
export const SIGCHLD = standard('SIGCHLD');
export const SIGCONT = standard('SIGCONT');
export const SIGSTOP = standard('SIGSTOP');
export const SIGTTOU = standard('SIGTTOU');

function signalSet(...names: string[]): ReadonlySet<number> {
  return Object.freeze(new Set(names.map(standard)));
}

/** The kernel refuses to let these be caught, ignored or blocked; their disposition is always SIG_DFL. */
export const UNCATCHABLE = signalSet('SIGKILL', 'SIGSTOP');
/** Never delivered to a process as a signal it could pass on: the uncatchable two, and CHLD, which drives reaping. */
export const NEVER_FORWARDED = signalSet('SIGKILL', 'SIGSTOP', 'SIGCHLD');
/**
 * What a parent that stays between a caller and a command's group (`procctl exec` with a timeout)
 * passes on to that group.
 */
export const FORWARDED = signalSet('SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGALRM');
/**
 * What a terminal or a service manager sends to end a program: `procctl run` stops on all three,
 * and they are the signals a supervisor handles by default (forwardSignals: true).
 */
export const STOP_REQUESTS = signalSet('SIGINT', 'SIGTERM', 'SIGHUP');
/** Received by a supervisor, these stop every child (the others it handles are passed on). */
export const SHUTDOWN = signalSet('SIGTERM', 'SIGINT');
/**
 * Job control: the stops a terminal driver sends (TSTP for Ctrl-Z, TTIN/TTOU for a background
 * group touching the terminal). The kernel discards them for an orphaned group; a shell reports them by name.
 */
export const JOB_CONTROL_STOPS = signalSet('SIGTSTP', 'SIGTTIN', 'SIGTTOU');
/** The job-control stops a background group gets for reading from or writing to the terminal. */
export const TERMINAL_ACCESS_STOPS = signalSet('SIGTTIN', 'SIGTTOU');
/**
 * Synchronous faults: when the kernel raises one for a fault of the process itself, no handler can
 * resume it. procctl init forwards them only when they were sent (kill(2), sigqueue, tgkill).
 */
export const FAULTS = signalSet('SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS');
/** The numbers after the standard signals and below SIGRTMIN: glibc keeps them for its threads. */
export const LIBC_RESERVED: ReadonlySet<number> = new Set(
  Array.from({ length: SIGRTMIN - STANDARD.length - 1 }, (_, i) => STANDARD.length + 1 + i),
);
/** Node sets these to SIG_IGN at startup; a command started by procctl must not inherit that. */
export const NODE_IGNORED = signalSet('SIGPIPE', 'SIGXFSZ');
/** The default first signal of a stop (killSignal, stopSignal, exec --signal). */
export const DEFAULT_STOP_SIGNAL = SIGTERM;

/** A process killed by signal n exits, as a shell reports it, with 128 + n. */
export function signalExitStatus(n: number): number {
  return 128 + n;
}

/** A signal number 1..SIGRTMAX, or a TypeError/RangeError naming `option`. */
function checkSignalNumber(n: unknown, option: string): number {
  if (typeof n !== 'number') throw new TypeError(`${option} must be a signal number from 1 to ${SIGRTMAX}; got ${describe(n)}`);
  if (!Number.isInteger(n) || n < 1 || n > SIGRTMAX) {
    throw new RangeError(`${option} must be a signal number from 1 to ${SIGRTMAX}; got ${describe(n)}`);
  }
  return n;
}

/**
 * Canonical name of a signal number: 'SIGTERM', 'SIGRTMIN', 'SIGRTMIN+3', 'SIGRTMAX-1', 'SIG32'.
 * Anything but an integer 1..SIGRTMAX is a TypeError/RangeError (there is no signal 0 or -5).
 */
export function signalName(n: number): string {
  checkSignalNumber(n, 'signal');
  const std = byNumber.get(n);
  if (std !== undefined) return std;
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n === SIGRTMAX) return 'SIGRTMAX';
  // Same split as kill -l: the first half counts up from RTMIN, the second down from RTMAX.
  if (n > SIGRTMIN && n <= SIGRTMIN + 15) return `SIGRTMIN+${n - SIGRTMIN}`;
  if (n > SIGRTMIN + 15 && n < SIGRTMAX) return `SIGRTMAX-${SIGRTMAX - n}`;
  return `SIG${n}`;
}

/** Every valid signal number, 1..SIGRTMAX. */
export function allSignals(): number[] {
  return Array.from({ length: SIGRTMAX }, (_, i) => i + 1);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return String(value);
}

/**
 * Parse a signal: a number (1..64), or a name with or without SIG in any case ('term', 'SIGTERM',
 * 'RTMIN+3', 'sigrtmax-2'), or a numeric string. `option` names the option in errors.
 * allowZero accepts 0 (the "does it exist" probe of kill(2)).
 */
export function parseSignal(value: unknown, option = 'signal', allowZero = false): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > SIGRTMAX) {
      throw new RangeError(
        `${option} must be a signal number from ${allowZero ? 0 : 1} to ${SIGRTMAX} or a name such as 'SIGTERM' or 'RTMIN+3'; got ${describe(value)}`,
      );
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`${option} must be a signal name or number; got ${typeof value}`);
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseSignal(Number(text), option, allowZero);
  let name = text.toUpperCase();
  if (!name.startsWith('SIG')) name = `SIG${name}`;
  const known = byName.get(name);
  if (known !== undefined) return known;
  // 'SIG32', 'SIG33': the names signalName() gives the numbers glibc keeps for itself.
  const numbered = /^SIG(\d+)$/.exec(name);
  if (numbered) return parseSignal(Number(numbered[1]), option, allowZero);
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
    const n = base + offset;
    if (n >= SIGRTMIN && n <= SIGRTMAX && (rt[1] === 'MIN' ? offset >= 0 : offset <= 0)) return n;
  }
  throw new RangeError(
    `${option}: unknown signal ${describe(value)}; use a name such as 'TERM', 'SIGINT', 'RTMIN+3' or a number from 1 to ${SIGRTMAX}`,
  );
}

/** Parse a list of signals (array, or a comma-separated string as the CLI takes them). */
export function parseSignalList(value: unknown, option: string): number[] {
  const items = typeof value === 'string' ? value.split(',').filter((s) => s.trim() !== '') : value;
  if (!Array.isArray(items)) {
    throw new TypeError(`${option} must be an array of signal names or numbers; got ${typeof value}`);
  }
  const out = new Set<number>();
  for (const item of items) out.add(parseSignal(item, option));
  return [...out].sort((a, b) => a - b);
}

/** Signal numbers set in a 64-bit mask as /proc/PID/status prints it (hex, bit n-1 = signal n). */
export function sigsetFromHex(hex: string): number[] {
  const expected = 'a hex mask of 1 to 16 digits as /proc/PID/status prints it (e.g. "0000000000004002")';
  if (typeof hex !== 'string') throw new TypeError(`mask must be ${expected}; got ${describe(hex)}`);
  const digits = hex.trim() || '0';
  if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) throw new RangeError(`mask must be ${expected}; got ${describe(hex)}`);
  // Two 32-bit halves, not a BigInt: inspect reads five masks at start-up, with nothing optimized yet.
  const low = Number.parseInt(digits.slice(-8), 16);
  const high = digits.length > 8 ? Number.parseInt(digits.slice(0, -8), 16) : 0;
  const out: number[] = [];
  for (let n = 1; n <= 32; n++) if ((low >>> (n - 1)) & 1) out.push(n);
  for (let n = 33; n <= NSIG_MAX; n++) if ((high >>> (n - 33)) & 1) out.push(n);
  return out;
}

/** The inverse of sigsetFromHex: a 64-bit mask from signal numbers (or names). */
export function sigsetToMask(signals: Iterable<number | string>): bigint {
  if (signals === null || typeof (signals as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function' || typeof signals === 'string') {
    throw new TypeError(`signals must be an array of signal numbers or names; got ${describe(signals)}`);
  }
  let mask = 0n;
  let i = 0;
  for (const n of signals) {
    const option = `signals[${i++}]`;
    const signo = typeof n === 'number' ? checkSignalNumber(n, option) : parseSignal(n, option);
    mask |= 1n << BigInt(signo - 1);
  }
  return mask;
}

/** The signal table as one object, exported from the package as `signals`. */
export const signals = Object.freeze({
  SIGRTMIN,
  SIGRTMAX,
  parse: parseSignal,
  parseList: parseSignalList,
  name: signalName,
  all: allSignals,
  fromMask: sigsetFromHex,
  toMask: sigsetToMask,
});

// What `procctl exec` was asked to do, parsed and checked: the one place that turns its command
// line into a plan. Every problem is a UsageError (exit 125) raised before anything is changed.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { native } from '../native.js';
import { DEFAULT_STOP_SIGNAL, NODE_IGNORED, UNCATCHABLE, signalName } from '../signals.js';
import {
  UsageError, parseCommandLine, parseDuration, parseEnvAssignment, parseFdArg, parseSignalArg,
  parseSignalListArgs, repeated, single, type OptionSpec,
} from './args.js';

export const EXEC_OPTIONS: OptionSpec = {
  'reset-signals': { type: 'boolean' },
  'default-signal': { type: 'string', multiple: true },
  'ignore-signal': { type: 'string', multiple: true },
  'block-signal': { type: 'string', multiple: true },
  'new-group': { type: 'boolean' },
  'new-session': { type: 'boolean' },
  'keep-fd': { type: 'string', multiple: true },
  'keep-fds': { type: 'boolean' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  signal: { type: 'string', short: 's' },
  'kill-after': { type: 'string', short: 'k' },
  cleanup: { type: 'boolean' },
  'preserve-status': { type: 'boolean' },
  foreground: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

export type Grouping = 'inherit' | 'group' | 'session';

export interface ExecInvocation {
  file: string;
  args: string[];
  /** The command's whole environment; null: procctl's own, unchanged (no --env given). */
  env: Record<string, string> | null;
  cwd: string | null;
  /** fds >= 3 that survive into the command, ascending (0–2 always do). */
  keepFds: number[];
  resetSignals: boolean;
  /** Set to SIG_DFL: Node's SIGPIPE/SIGXFSZ plus --default-signal. */
  defaultSignals: number[];
  ignoreSignals: number[];
  /** The command's signal mask, or null to keep procctl's own. */
  mask: number[] | null;
  grouping: Grouping;
  /** Milliseconds; 0 means no timeout (exec replaces procctl). */
  timeout: number;
  /** --signal: sent at the deadline, armed as the death signal. */
  signal: number;
  /** Milliseconds from --signal to SIGKILL; undefined: never escalate. */
  killAfter: number | undefined;
  cleanup: boolean;
  /** --preserve-status: the command's status even when the deadline fired. */
  preserveStatus: boolean;
  /** --foreground: the command stays in procctl's group; only the command is signalled. */
  foreground: boolean;
  /** --verbose: one stderr line naming the signal sent at the deadline. */
  verbose: boolean;
}

/** The native fd plan: child fd i is procctl's fd fds[i]; 0–2 and every kept fd map to themselves. */
export function fdPlan(keepFds: readonly number[]): number[] {
  const last = Math.max(2, ...keepFds);
  const fds = Array.from({ length: last + 1 }, (_, i) => (i < 3 ? i : -1));
  for (const fd of keepFds) fds[fd] = fd;
  return fds;
}

export type ParsedExec = { help: true } | { help: false; plan: ExecInvocation };

function checkNotUncatchable(signals: number[], option: string): void {
  for (const n of signals) {
    if (UNCATCHABLE.has(n)) {
      throw new UsageError(`${option}: ${signalName(n).slice(3)} cannot be ignored or blocked`);
    }
  }
}

function buildEnv(assignments: string[]): Record<string, string> | null {
  if (assignments.length === 0) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const text of assignments) {
    const [name, value] = parseEnvAssignment(text, '--env');
    env[name] = value;
  }
  return env;
}

function checkCwd(dir: string | undefined): string | null {
  if (dir === undefined) return null;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`--cwd: no such directory '${dir}'`);
  }
  if (!isDir) throw new UsageError(`--cwd: not a directory '${dir}'`);
  return dir;
}

/**
 * fds >= 3 that procctl inherited. Node marks inherited fds close-on-exec at startup
 * (uv_disable_stdio_inheritance), so flags cannot tell them from Node's own; Node's own are
 * event-loop objects (anon inodes: epoll, eventfd) and self-pipes (both ends held here), and those
 * are left out. (libuv also opens a /dev/null reserve fd with the first stream it creates; procctl
 * creates no stream before this runs, so every /dev/null seen here was inherited.)
 */
export function inheritedFds(): number[] {
  const targets = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      targets.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the directory's own fd, closed by now
    }
  }
  const pipeCount = new Map<string, number>();
  for (const target of targets.values()) if (target.startsWith('pipe:')) pipeCount.set(target, (pipeCount.get(target) ?? 0) + 1);
  const out: number[] = [];
  for (const [fd, target] of targets) {
    if (fd < 3 || target.startsWith('anon_inode:')) continue;
    if (target.startsWith('pipe:') && (pipeCount.get(target) ?? 0) > 1) continue;
    out.push(fd);
  }
  return out.sort((a, b) => a - b);
}

function planFds(keepFd: string[], keepAll: boolean): number[] {
  const kept = new Set<number>();
  const inherited = keepFd.length > 0 || keepAll ? new Set(inheritedFds()) : new Set<number>();
  for (const text of keepFd) {
    const fd = parseFdArg(text, '--keep-fd');
    // Node's own fds (epoll, eventfd, self-pipes) count as not open: they were not given to procctl.
    if (fd >= 3 && !inherited.has(fd)) throw new UsageError(`--keep-fd: ${fd} is not an open file descriptor`);
    if (fd >= 3) kept.add(fd);
  }
  if (keepAll) for (const fd of inherited) kept.add(fd);
  return [...kept].sort((a, b) => a - b);
}

function planMask(reset: boolean, block: number[]): number[] | null {
  if (reset) return block;
  if (block.length === 0) return null;
  // Without --reset-signals the command keeps procctl's mask; add to it, never replace it.
  const current = native().getSignalDispositions().blocked;
  return [...new Set([...current, ...block])].sort((a, b) => a - b);
}

function planGrouping(newGroup: boolean, newSession: boolean): Grouping {
  if (newGroup && newSession) throw new UsageError('--new-group and --new-session cannot be combined (a new session is always a new group)');
  return newSession ? 'session' : newGroup ? 'group' : 'inherit';
}

type TimeoutPlan = Pick<ExecInvocation, 'timeout' | 'signal' | 'killAfter' | 'cleanup' | 'preserveStatus' | 'foreground' | 'verbose'>;

/** Options that only mean something with a deadline: each needs --timeout. */
const NEEDS_TIMEOUT = ['kill-after', 'cleanup', 'preserve-status', 'foreground', 'verbose'] as const;

function planTimeout(values: Record<string, unknown>, grouping: Grouping): TimeoutPlan {
  const timeoutText = single(values.timeout as string | undefined);
  const killAfterText = single(values['kill-after'] as string | undefined);
  const signalText = single(values.signal as string | undefined);
  const cleanup = values.cleanup === true;
  const foreground = values.foreground === true;
  if (timeoutText === undefined) {
    const given = NEEDS_TIMEOUT.find((name) => values[name] !== undefined);
    if (given !== undefined) throw new UsageError(`--${given} needs --timeout`);
  }
  const timeout = timeoutText === undefined ? 0 : parseDuration(timeoutText, '--timeout');
  if (timeout === 0 && cleanup) throw new UsageError('--cleanup needs a non-zero --timeout');
  if (foreground && grouping !== 'inherit') throw new UsageError(`--foreground keeps the command in procctl's group; it cannot be combined with --${grouping === 'group' ? 'new-group' : 'new-session'}`);
  if (foreground && cleanup) throw new UsageError('--foreground signals the command alone; it cannot be combined with --cleanup (which stops the command\'s group)');
  return {
    timeout,
    signal: signalText === undefined ? DEFAULT_STOP_SIGNAL : parseSignalArg(signalText, '--signal'),
    killAfter: killAfterText === undefined ? undefined : parseDuration(killAfterText, '--kill-after'),
    cleanup,
    preserveStatus: values['preserve-status'] === true,
    foreground,
    verbose: values.verbose === true,
  };
}

function planSignals(values: Record<string, unknown>): Pick<ExecInvocation, 'resetSignals' | 'defaultSignals' | 'ignoreSignals' | 'mask'> {
  const resetSignals = values['reset-signals'] === true;
  const defaults = parseSignalListArgs(repeated(values['default-signal'] as string[] | undefined), '--default-signal');
  const ignoreSignals = parseSignalListArgs(repeated(values['ignore-signal'] as string[] | undefined), '--ignore-signal');
  const block = parseSignalListArgs(repeated(values['block-signal'] as string[] | undefined), '--block-signal');
  checkNotUncatchable(ignoreSignals, '--ignore-signal');
  checkNotUncatchable(block, '--block-signal');
  const both = defaults.find((n) => ignoreSignals.includes(n));
  if (both !== undefined) throw new UsageError(`signal ${both} is given to both --default-signal and --ignore-signal`);
  // An explicit --ignore-signal PIPE wins over the Node correction.
  const defaultSignals = [...new Set([...NODE_IGNORED, ...defaults])].filter((n) => !ignoreSignals.includes(n)).sort((a, b) => a - b);
  return { resetSignals, defaultSignals, ignoreSignals, mask: planMask(resetSignals, block) };
}

/** Parse `procctl exec` arguments into a plan; UsageError on any problem. */
export function parseExec(argv: readonly string[]): ParsedExec {
  const { values, command } = parseCommandLine(argv, EXEC_OPTIONS, { command: true });
  if (values.help === true) return { help: true };
  const [file, ...args] = command;
  if (file === undefined) throw new UsageError("exec: missing COMMAND; usage: procctl exec [options] [--] COMMAND [ARG...]");
  if (file === '') throw new UsageError('exec: COMMAND is an empty string');
  const grouping = planGrouping(values['new-group'] === true, values['new-session'] === true);
  return {
    help: false,
    plan: {
      file,
      args,
      env: buildEnv(repeated(values.env)),
      cwd: checkCwd(single(values.cwd)),
      keepFds: planFds(repeated(values['keep-fd']), values['keep-fds'] === true),
      grouping,
      ...planSignals(values),
      ...planTimeout(values, grouping),
    },
  };
}

// /proc/PID/stat: the ids and state of one process. The one parser of that file in lib/.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** Executable name as the kernel keeps it (at most 15 bytes, may contain spaces or ')'). */
  comm: string;
  /** One-letter state: R S D Z T t X I … */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Controlling terminal as a device number, 0 for none. */
  ttyNr: number;
  /** The controlling terminal's foreground process group; -1 without a terminal. */
  tpgid: number;
  /** Kernel PF_* flags; see isKernelThread. */
  flags: number;
}

const PF_KTHREAD = 0x00200000;

/** Kernel threads have no user space: no argv, no fds, dispositions that mean nothing. */
export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** Error thrown when a pid has no /proc entry (never existed, or exited and was reaped). */
export function noSuchProcess(pid: number, cause?: unknown): Error {
  const error = new Error(`no such process: ${pid}`, cause === undefined ? undefined : { cause }) as Error & { code: string };
  error.code = 'ESRCH';
  return error;
}

/** True for the errors a vanished process gives while reading its /proc files. */
export function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Parse the text of /proc/PID/stat; comm may hold spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open - 1)),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    sid: Number(rest[3]),
    ttyNr: Number(rest[4]),
    tpgid: Number(rest[5]),
    flags: Number(rest[6]),
  };
}

/** Read /proc/PID/stat; throws an ESRCH error when the process does not exist. */
export function readStat(pid: number): ProcStat {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    throw isGone(error) ? noSuchProcess(pid, error) : error;
  }
}

/** readStat, or undefined when the process is gone (for scans of every pid, which race exits). */
export function tryReadStat(pid: number): ProcStat | undefined {
  try {
    return readStat(pid);
  } catch {
    return undefined;
  }
}

const STATE_NAMES: Readonly<Record<string, string>> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing stop',
  X: 'dead',
  x: 'dead',
  I: 'idle',
  P: 'parked',
  W: 'waking',
  K: 'wakekill',
};

/** 'S' → 'sleeping'. */
export function stateName(state: string): string {
  return STATE_NAMES[state] ?? 'unknown';
}

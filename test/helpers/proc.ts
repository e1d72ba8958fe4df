// Test helpers that observe processes from outside, through /proc. No mocks: every assertion in
// the suite reads what the kernel says about a real process.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  ttyNr: number;
  /** The controlling terminal's foreground group (-1 without a terminal). */
  tpgid: number;
}

/** Fields of /proc/PID/stat (comm may contain spaces and parentheses: split at the last ')'). */
export function readStat(pid: number): StatFields {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
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
  };
}

/** /proc/PID/status as a map of field → raw value. */
export function readStatus(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** All 64 bits of a signal mask field (SigIgn, SigBlk, SigCgt, SigPnd, ShdPnd) as a bigint. */
export function sigMask(pid: number, field: 'SigIgn' | 'SigBlk' | 'SigCgt' | 'SigPnd' | 'ShdPnd'): bigint {
  const value = readStatus(pid).get(field);
  if (value === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return BigInt(`0x${value}`);
}

/** Mask with the bits of the given signal numbers set. */
export function maskOf(...signals: number[]): bigint {
  return signals.reduce((m, n) => m | (1n << BigInt(n - 1)), 0n);
}

/** Open fd numbers of a process, sorted. */
export function listFds(pid: number | 'self' = 'self'): number[] {
  return readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
}

/** fd → readlink target. */
export function fdTargets(pid: number | 'self' = 'self'): Map<number, string> {
  const out = new Map<number, string>();
  for (const fd of listFds(pid)) {
    try {
      out.set(fd, readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed between readdir and readlink
    }
  }
  return out;
}

/**
 * The state of a process that has exited: a zombie, or 'X', one its parent has just reaped while
 * the kernel still lists it (a window of microseconds, seen by tests that read right after a kill).
 */
export function exitedState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** True while the pid exists and has not exited (exitedState). */
export function isAlive(pid: number): boolean {
  try {
    return !exitedState(readStat(pid).state);
  } catch {
    return false;
  }
}

/** True while the pid exists at all (zombies included). */
export function exists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of a pid (from /proc/PID/task/TID/children). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // thread gone
    }
  }
  return out;
}

/** Zombie children of this process. */
export function zombieChildren(pid: number = process.pid): number[] {
  return childrenOf(pid).filter((c) => {
    try {
      return readStat(c).state === 'Z';
    } catch {
      return false;
    }
  });
}

/** Every pid whose process group is pgid. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readStat(Number(name)).pgid === pgid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Every pid whose cmdline contains the marker (used to find grandchildren by a unique argv). */
export function findByCmdline(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !exitedState(readStat(Number(name)).state)) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Poll until predicate() is true or fail after ms. */
export async function waitUntil(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Race a promise against a deadline so a hang fails the test instead of stalling the runner. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL every pid given, ignoring ones already gone. For test cleanup. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** SIGKILL a whole process group, ignoring ESRCH. For test cleanup. */
export function killGroupQuietly(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A full garbage collection, so that memory bounds measure what is held and not what V8 has yet
 * to collect (the suite runs without --expose-gc; the flag can still be set at run time).
 */
let gc: (() => void) | undefined;
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Resident set size of this process in bytes (VmRSS). */
export function rssBytes(): number {
  return Number(readStatus(process.pid).get('VmRSS')?.split(/\s+/)[0] ?? 0) * 1024;
}

/** AddressSanitizer (preloaded by `npm run test:asan`) keeps freed memory: RSS bounds say little. */
export const underSanitizer = /libasan/.test(process.env.LD_PRELOAD ?? '');

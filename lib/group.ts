// Process groups seen through /proc: who is in a group, and waiting until nobody is.
//
// Zombies do not count as members. A zombie has already died; it only waits for its parent to
// reap it, and a group leader that procctl holds with WNOWAIT (so that its pid, the pgid, cannot
// be reused during a sweep) is exactly such a zombie. "The group is empty" therefore means "no
// live process is left in it".
import { echo, checkMilliseconds } from './options.js';
import { assertSupportedPlatform } from './platform.js';
import { native } from './native.js';

/** Highest pid Linux can hand out (PID_MAX_LIMIT on 64-bit). */
const PID_MAX_LIMIT = 4194304;

/** A process group id argument: an integer 1..4194304. */
export function checkPgid(value: unknown, option = 'pgid'): number {
  const expected = `a process group id, an integer from 1 to ${PID_MAX_LIMIT}`;
  if (typeof value !== 'number') throw new TypeError(`${option} must be ${expected}; got ${echo(value)}`);
  if (!Number.isInteger(value) || value < 1 || value > PID_MAX_LIMIT) {
    throw new RangeError(`${option} must be ${expected}; got ${echo(value)}`);
  }
  return value;
}

/** Live members of a group: one pass over /proc/PID/stat, in C (a JS pass costs ~25 µs a process). */
function scanMembers(pgid: number): number[] {
  return native().groupScan(pgid);
}

/** Live (non-zombie) processes whose process group is pgid, sorted. */
export function groupMembers(pgid: number): number[] {
  assertSupportedPlatform();
  return scanMembers(checkPgid(pgid));
}

/** kill(-pgid, 0): false only when no process at all, zombies included, is left in the group. */
function groupHasAnyProcess(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code !== 'ESRCH';
  }
}

/**
 * True when no live process is left in the group. The signal-0 probe answers for free when the
 * group is gone altogether; the /proc scan is needed only while some process — perhaps just a
 * zombie leader held on purpose — still carries the pgid.
 */
export function isGroupEmpty(pgid: number): boolean {
  return !groupHasAnyProcess(pgid) || scanMembers(pgid).length === 0;
}

/** A pending waitUntilGroupEmpty(). */
interface GroupWaiter {
  pgid: number;
  deadline: number;
  resolve: (empty: boolean) => void;
}

// Every pending wait is answered by ONE /proc scan per tick, shared by all waiters: stopping a
// thousand groups at once costs a thousand cheap signal-0 probes and one scan per tick, not a
// thousand scans. The tick interval starts at 1 ms (most groups die within milliseconds of a
// signal), doubles up to 50 ms, and drops back to 1 ms whenever a new wait begins.
const waiters = new Set<GroupWaiter>();
let timer: NodeJS.Timeout | undefined;
let interval = 1;

/** pgids that still have a live (non-zombie) member, from one pass over /proc. */
function liveGroups(): Set<number> {
  return new Set(native().groupScan(0));
}

function settle(waiter: GroupWaiter, empty: boolean): void {
  waiters.delete(waiter);
  waiter.resolve(empty);
}

function schedule(ms: number): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(tick, ms);
}

function tick(): void {
  timer = undefined;
  let scan: Set<number> | undefined;
  const now = Date.now();
  for (const waiter of waiters) {
    // The probe answers for free when the group is gone altogether; only groups that still carry
    // some process (perhaps just a zombie leader held on purpose) need the shared scan.
    if (!groupHasAnyProcess(waiter.pgid) || !(scan ??= liveGroups()).has(waiter.pgid)) {
      settle(waiter, true);
    } else if (now >= waiter.deadline) {
      settle(waiter, false);
    }
  }
  if (waiters.size === 0) return;
  interval = Math.min(interval * 2, 50);
  let next = interval;
  for (const waiter of waiters) next = Math.min(next, Math.max(waiter.deadline - now, 0));
  schedule(next);
}

/**
 * Resolve true when the group has no live member, false when timeoutMs passed first (Infinity:
 * never time out). Concurrent waits share one /proc scan per tick.
 */
export function waitUntilGroupEmpty(pgid: number, timeoutMs: number): Promise<boolean> {
  if (!groupHasAnyProcess(pgid)) return Promise.resolve(true);
  if (timeoutMs <= 0) return Promise.resolve(isGroupEmpty(pgid));
  return new Promise((resolve) => {
    waiters.add({ pgid, deadline: Date.now() + timeoutMs, resolve });
    interval = 1;
    // Waits begun in the same turn (a stop of many groups) are answered by the same scan.
    schedule(1);
  });
}

/**
 * Wait for every process of a group (one this process did not necessarily start) to exit.
 * timeoutMs: milliseconds or Infinity (default). Resolves true when the group is empty.
 */
export function waitForGroupExit(pgid: number, timeoutMs: number = Infinity): Promise<boolean> {
  assertSupportedPlatform();
  checkPgid(pgid);
  checkMilliseconds(timeoutMs, 'timeoutMs', Infinity, true);
  return waitUntilGroupEmpty(pgid, timeoutMs);
}

// Process groups seen through /proc: who is in a group, and waiting until nobody is.
//
// Zombies do not count as members. A zombie has already died; it only waits for its parent to
// reap it, and a group leader that procctl holds with WNOWAIT (so that its pid, the pgid, cannot
// be reused during a sweep) is exactly such a zombie, as is a member orphaned by the leader's
// death until PID 1 (or a subreaper) reaps it. "The group is empty" therefore means "no live
// process is left in it"; the kernel's own group calls (signal 0) count zombies, so only their
// "nobody at all" is definite without a pass over /proc.
import { echo, checkMilliseconds } from '../validate.js';
import { assertSupportedPlatform } from '../platform.js';
import { native } from '../native.js';

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

/** Live members of a group: one pass over /proc in C, a getpgid(2) per process (see groupScan). */
function scanMembers(pgid: number): number[] {
  return native().groupScan(pgid);
}

/** Live (non-zombie) processes whose process group is pgid, sorted. */
export function groupMembers(pgid: number): number[] {
  assertSupportedPlatform();
  return scanMembers(checkPgid(pgid));
}

/**
 * Whether any process at all, zombies included, is left in a group: false is definite, true may
 * be zombies only (then a /proc scan decides). kill(-pgid, 0) by default; a group reached through
 * its leader's pidfd answers through that (group/kill.ts), which cannot mistake a later group with
 * the same number for it.
 */
export type GroupProbe = () => boolean;

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
export function isGroupEmpty(pgid: number, anyProcess: GroupProbe = () => groupHasAnyProcess(pgid)): boolean {
  return !anyProcess() || scanMembers(pgid).length === 0;
}

/**
 * A live process known to be in the group, and the promise of its exit event: while it is alive
 * and still carries the pgid (one getpgid call), the group is not empty and needs no /proc scan;
 * its exit event (the pidfd) wakes the wait at once.
 */
export interface GroupLeader {
  pid: number;
  exited: Promise<unknown>;
}

/** A pending waitUntilGroupEmpty(). */
interface GroupWaiter {
  pgid: number;
  deadline: number;
  resolve: (empty: boolean) => void;
  /** pid of a live member whose exit has not been reported yet, else 0. */
  leader: number;
  /** pid of a live member the last scan found, whose exit is watched (watch > 0), else 0. */
  witness: number;
  /** The witness's watch (native watchProcessExit), else 0. */
  watch: number;
  /** Whether any process, zombies included, is left (see GroupProbe). */
  anyProcess: GroupProbe;
}

// Every pending wait is answered by ONE /proc scan per tick, shared by all waiters: stopping a
// thousand groups at once costs a thousand cheap signal-0 probes and one scan per tick, not a
// thousand scans. A waiter that knows a live member of its group costs one getpgid and no scan:
// the leader it was given (its exit event) or the member the last scan found (the witness, whose
// exit a pidfd reports). Either one's exit runs a tick at once (one per event-loop turn, so
// members that exit together share it), and the scan then names the next witness or finds the
// group empty. Between events the tick interval starts at 1 ms, doubles up to 50 ms, and drops
// back to 1 ms whenever a wait begins: it catches what no event reports (a member that left the
// group alive, a kernel without pidfds) and the deadlines.
const waiters = new Set<GroupWaiter>();
let timer: NodeJS.Timeout | undefined;
let immediate: NodeJS.Immediate | undefined;
let interval = 1;

/** For each of the waiters' pgids that still has a live (non-zombie) member, one such member: one pass over /proc. */
function liveWitnesses(): Map<number, number> {
  return new Map(native().groupWitnesses([...new Set(Array.from(waiters, (w) => w.pgid))]));
}

/** pid is alive and still in the group (a zombie is neither: its exit event clears it first). */
function isInGroup(pid: number, pgid: number): boolean {
  try {
    return native().getpgid(pid) === pgid;
  } catch {
    return false; // gone: its exit event is on its way
  }
}

/** A member the waiter knows of (its leader, its witness) is alive and in the group: certainly not empty. */
function memberHoldsGroup(waiter: GroupWaiter): boolean {
  return (waiter.leader !== 0 && isInGroup(waiter.leader, waiter.pgid)) || (waiter.witness !== 0 && isInGroup(waiter.witness, waiter.pgid));
}

function unwatch(waiter: GroupWaiter): void {
  if (waiter.watch > 0) native().unwatchProcessExit(waiter.watch);
  waiter.watch = 0;
  waiter.witness = 0;
}

/** Watch pid, a live member the scan found, so that its exit wakes the wait. */
function watchWitness(waiter: GroupWaiter, pid: number): void {
  if (waiter.witness === pid) return;
  unwatch(waiter);
  const watch = native().watchProcessExit(pid, () => {
    if (waiter.watch !== watch) return;
    waiter.watch = 0;
    waiter.witness = 0;
    if (waiters.has(waiter)) wake();
  });
  // 0: gone already (the next tick scans again); -1: no pidfds here (the timer polls).
  if (watch > 0) {
    waiter.watch = watch;
    waiter.witness = pid;
  } else if (watch === 0) {
    wake();
  }
}

function settle(waiter: GroupWaiter, empty: boolean): void {
  waiters.delete(waiter);
  unwatch(waiter);
  waiter.resolve(empty);
}

function cancelTick(): void {
  if (timer !== undefined) clearTimeout(timer);
  if (immediate !== undefined) clearImmediate(immediate);
  timer = undefined;
  immediate = undefined;
}

function schedule(ms: number): void {
  cancelTick();
  timer = setTimeout(tick, ms);
}

/** Tick in the next event-loop turn, after every exit event of this one. */
function wake(): void {
  interval = 1;
  if (immediate !== undefined) return;
  cancelTick();
  immediate = setImmediate(tick);
}

function tick(): void {
  cancelTick();
  let scan: Map<number, number> | undefined;
  const now = Date.now();
  for (const waiter of waiters) {
    if (memberHoldsGroup(waiter)) {
      if (now >= waiter.deadline) settle(waiter, false);
      continue;
    }
    // The probe answers for free when the group is gone altogether; only groups that still carry
    // some process (perhaps just a zombie: a leader held on purpose, an orphan not yet reaped)
    // need the shared scan.
    const witness = waiter.anyProcess() ? (scan ??= liveWitnesses()).get(waiter.pgid) : undefined;
    if (witness === undefined) settle(waiter, true);
    else if (now >= waiter.deadline) settle(waiter, false);
    else watchWitness(waiter, witness);
  }
  if (waiters.size === 0) return;
  if (immediate !== undefined) return; // a witness already gone: scan again in the next turn
  interval = Math.min(interval * 2, 50);
  let next = interval;
  for (const waiter of waiters) next = Math.min(next, Math.max(waiter.deadline - now, 0));
  schedule(next);
}

/**
 * Resolve true when the group has no live member, false when timeoutMs passed first (Infinity:
 * never time out). Concurrent waits share one /proc scan per tick. `leader`: a member whose exit
 * this process observes (a child it spawned); see GroupLeader. `anyProcess`: how to ask whether
 * any process is left at all (see GroupProbe).
 */
export function waitUntilGroupEmpty(pgid: number, timeoutMs: number, leader?: GroupLeader, anyProcess: GroupProbe = () => groupHasAnyProcess(pgid)): Promise<boolean> {
  if (!anyProcess()) return Promise.resolve(true);
  if (timeoutMs <= 0) return Promise.resolve(isGroupEmpty(pgid, anyProcess));
  return new Promise((resolve) => {
    const waiter: GroupWaiter = { pgid, deadline: Date.now() + timeoutMs, resolve, leader: leader?.pid ?? 0, witness: 0, watch: 0, anyProcess };
    waiters.add(waiter);
    leader?.exited.then(() => {
      waiter.leader = 0;
      if (waiters.has(waiter)) wake();
    });
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

// Process groups seen through /proc: who is in a group, and waiting until nobody is.
//
// Zombies do not count as members. A zombie has already died; it only waits for its parent to
// reap it, and a group leader that procctl holds with WNOWAIT (so that its pid, the pgid, cannot
// be reused during a sweep) is exactly such a zombie. "The group is empty" therefore means "no
// live process is left in it".
import { setTimeout as sleep } from 'node:timers/promises';
import { echo, checkMilliseconds } from './options.js';
import { listPids } from './proc/pids.js';
import { tryReadStat } from './proc/stat.js';

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

function scanMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const pid of listPids()) {
    const stat = tryReadStat(pid);
    if (stat !== undefined && stat.pgid === pgid && stat.state !== 'Z') members.push(pid);
  }
  return members;
}

/** Live (non-zombie) processes whose process group is pgid, sorted. */
export function groupMembers(pgid: number): number[] {
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

/**
 * Poll until the group has no live member. Resolves true when it is empty, false when timeoutMs
 * passed first. Polls often at first (most groups die within milliseconds of a signal), then
 * every 50 ms so a long wait stays cheap.
 */
export async function waitUntilGroupEmpty(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let interval = 2;
  for (;;) {
    if (isGroupEmpty(pgid)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, 50);
  }
}

/**
 * Wait for every process of a group (one this process did not necessarily start) to exit.
 * timeoutMs: milliseconds or Infinity (default). Resolves true when the group is empty.
 */
export function waitForGroupExit(pgid: number, timeoutMs: number = Infinity): Promise<boolean> {
  checkPgid(pgid);
  checkMilliseconds(timeoutMs, 'timeoutMs', Infinity, true);
  return waitUntilGroupEmpty(pgid, timeoutMs);
}

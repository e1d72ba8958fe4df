// Signalling whole process groups, and the sweep that stops one: signal, wait for the group to
// empty, SIGKILL what is left, wait again. A stop is finished when the group is empty, not when
// its leader exits (a shell wrapper dies at once; what it started may not).
import { native } from './native.js';
import { assertSupportedPlatform } from './platform.js';
import { SIGCONT, SIGKILL, parseSignal } from './signals.js';
import { type GroupLeader, checkPgid, isGroupEmpty, waitUntilGroupEmpty } from './group.js';
import type { SignalLike } from './options.js';

function isNoSuchProcess(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ESRCH';
}

/** killpg without validation. false when the group has no member left (ESRCH). */
export function signalGroup(pgid: number, signo: number): boolean {
  try {
    native().killpg(pgid, signo);
    return true;
  } catch (error) {
    if (isNoSuchProcess(error)) return false;
    throw error;
  }
}

/**
 * killpg when the group has a live member. Zombies are not members (as in groupMembers and
 * waitForGroupExit): a group of zombies only is left alone and reported as false. The scan comes
 * before the signal so that a member the signal kills at once still counts as reached.
 */
export function signalLiveGroup(pgid: number, signo: number): boolean {
  return !isGroupEmpty(pgid) && signalGroup(pgid, signo);
}

/**
 * Send a signal to every process of a group, including groups this process did not start.
 * sig: name or number (default 'SIGTERM'); 0 only probes whether the group has a live member.
 * Returns false when no live (non-zombie) member is left; other errors (EPERM) throw.
 */
export function killGroup(pgid: number, sig: SignalLike = 'SIGTERM'): boolean {
  assertSupportedPlatform();
  checkPgid(pgid);
  return signalLiveGroup(pgid, parseSignal(sig, 'sig', true));
}

export interface SweepOptions {
  /** First signal for the group. */
  signal: number;
  /** Milliseconds to wait for the group to empty before SIGKILL; Infinity: never escalate. */
  grace: number;
  /** The group's leader, when this process watches its exit: no /proc scan while it lives. */
  leader?: GroupLeader | undefined;
}

export interface SweepResult {
  /** SIGKILL had to be sent because the group outlived the grace period. */
  escalated: boolean;
}

/**
 * Stop a group: `signal`, then wait up to `grace` for it to empty, then SIGKILL and wait until it
 * is empty. The caller keeps the leader's pid (= pgid) from being reused meanwhile (by holding the
 * leader as a zombie), so every killpg here reaches the intended group.
 */
export async function sweepGroup(pgid: number, { signal, grace, leader }: SweepOptions): Promise<SweepResult> {
  if (!signalGroup(pgid, signal)) return { escalated: false };
  // A stopped process keeps a TERM pending until it is continued (as timeout(1) does, follow up
  // with SIGCONT); SIGKILL needs no help.
  if (signal !== SIGKILL && signal !== SIGCONT) signalGroup(pgid, SIGCONT);
  const killed = signal === SIGKILL;
  if (await waitUntilGroupEmpty(pgid, killed ? Infinity : grace, leader)) return { escalated: false };
  signalGroup(pgid, SIGKILL);
  await waitUntilGroupEmpty(pgid, Infinity, leader);
  return { escalated: true };
}

// Signalling whole process groups, and a process group as the membership a stop works on (the
// stop itself is group/stop.ts).
import { native } from '../native.js';
import { assertSupportedPlatform } from '../platform.js';
import { SIGKILL, parseSignal } from '../signals.js';
import { type GroupLeader, checkPgid, isGroupEmpty, isLiveMember, waitUntilGroupEmpty } from './members.js';
import type { SignalLike } from '../options.js';
import type { Membership } from './stop.js';

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
 * waitForGroupExit): a group of zombies only is left alone and reported as false. The check comes
 * before the signal so that a member the signal kills at once still counts as reached. `member`:
 * a process the caller knows to be in the group (its own child): while it is alive, it answers
 * for the group without a pass over /proc (stopping a thousand groups: a thousand stat reads, not
 * a thousand passes over a thousand processes).
 */
export function signalLiveGroup(pgid: number, signo: number, member = 0): boolean {
  const live = (member > 0 && isLiveMember(member, pgid)) || !isGroupEmpty(pgid);
  return live && signalGroup(pgid, signo);
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

/**
 * A process group as a stop's membership (see group/stop.ts): killpg, and the shared /proc wait
 * of members.ts. `leader`: a member whose exit this process watches (no /proc scan while it lives).
 * The caller keeps the leader's pid (= pgid) from being reused meanwhile (by holding the leader as
 * a zombie), so every killpg reaches the intended group.
 */
export function processGroup(pgid: number, leader?: GroupLeader): Membership {
  return {
    signal: (signo) => signalGroup(pgid, signo),
    kill: () => void signalGroup(pgid, SIGKILL),
    waitEmpty: (timeoutMs) => waitUntilGroupEmpty(pgid, timeoutMs, leader),
    resume: true,
  };
}

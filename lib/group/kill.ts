// Signalling whole process groups, and a process group as the membership a stop works on (the
// stop itself is group/stop.ts).
import { native } from '../native.js';
import { assertSupportedPlatform } from '../platform.js';
import { SIGKILL, parseSignal } from '../signals.js';
import { type GroupLeader, checkPgid, isGroupEmpty, waitUntilGroupEmpty } from './members.js';
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
 * How a group is reached: by its number (killpg), or, when pidfd >= 0, through the pidfd of the
 * process that led it (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9+). The kernel then signals the
 * processes whose group is that leader's pid object, not whatever group carries the number: the
 * leader may have been reaped and the number reused, and no signal can reach the new group.
 * Either way false means that no process at all, zombies included, is left in the group (ESRCH).
 */
function groupSender(pgid: number, pidfd: number): (signo: number) => boolean {
  return pidfd >= 0 ? (signo) => native().signalGroupPidfd(pidfd, signo) : (signo) => signalGroup(pgid, signo);
}

/**
 * killpg when the group has a live member. Zombies are not members (as in groupMembers and
 * waitForGroupExit): a group of zombies only is left alone and reported as false. The check comes
 * before the signal so that a member the signal kills at once still counts as reached.
 * `memberLive`: the caller has just seen a live member of the group (its own child, checked by
 * native liveInGroup), which answers for the group without a pass over /proc (stopping a thousand
 * groups: a thousand pairs of system calls, not a thousand passes over a thousand processes).
 * `pidfd`: reach the group through its leader's pidfd (see groupSender), -1: by its number.
 */
export function signalLiveGroup(pgid: number, signo: number, memberLive = false, pidfd = -1): boolean {
  const send = groupSender(pgid, pidfd);
  const live = memberLive || !isGroupEmpty(pgid, () => send(0));
  return live && send(signo);
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
 * A process group as a stop's membership (see group/stop.ts): its signals, and the shared /proc
 * wait of members.ts. `leader`: a member whose exit this process watches (no /proc scan while it
 * lives). By number (pidfd -1), the caller keeps the leader's pid (= pgid) from being reused
 * meanwhile (by holding the leader as a zombie), so every killpg reaches the intended group.
 * Through the leader's pidfd (see groupSender) nothing needs holding: every signal, and the
 * probe that tells the wait whether any process is left, can only reach the leader's own group,
 * so a group whose last process is gone is known empty without a pass over /proc.
 */
export function processGroup(pgid: number, leader?: GroupLeader, pidfd = -1): Membership {
  const send = groupSender(pgid, pidfd);
  return {
    signal: send,
    kill: () => void send(SIGKILL),
    waitEmpty: (timeoutMs) => waitUntilGroupEmpty(pgid, timeoutMs, leader, pidfd >= 0 ? () => send(0) : undefined),
    resume: true,
  };
}

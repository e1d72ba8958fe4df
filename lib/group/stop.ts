// The one group stop: the first signal to every member, SIGCONT so that a stopped member acts on
// it, up to `grace` for the members to be gone, then SIGKILL, and done once no member is left (not
// when the leader exits: a shell wrapper dies at once, what it started may not).
//
// Who the members are is the caller's parameter (a Membership): a process group (killpg, and the
// shared wait of members.ts), a cgroup (cgroup.procs, cgroup.kill, cgroup.events), or a single
// process. The stop itself never looks at processes.
import { SIGCONT, SIGKILL } from '../signals.js';

/** A set of processes as a stop sees it: signal them, kill them, wait until none is left. */
export interface Membership {
  /** Send signo to every live member; false when no member is left to receive it. */
  signal(signo: number): boolean;
  /** SIGKILL every member (a cgroup has one write for this). */
  kill(): void;
  /** Resolve true once no member is left, false when timeoutMs passed first (Infinity: never time out). */
  waitEmpty(timeoutMs: number): Promise<boolean>;
  /**
   * Whether stopped members get SIGCONT after the first signal (a stopped process keeps a TERM
   * pending until continued; timeout(1) does the same). false for a lone process stopped as
   * `timeout --foreground` stops it.
   */
  readonly resume: boolean;
}

export interface StopResult {
  /** SIGKILL had to be sent because members outlived the grace period. */
  escalated: boolean;
}

/**
 * Stop every member: `signal`, then wait up to `grace` ms (Infinity: never escalate) for them to
 * be gone, then SIGKILL and wait until none is left.
 */
export async function stopMembers(members: Membership, signal: number, grace: number): Promise<StopResult> {
  if (!members.signal(signal)) return { escalated: false };
  if (members.resume && signal !== SIGKILL && signal !== SIGCONT) members.signal(SIGCONT);
  if (await members.waitEmpty(signal === SIGKILL ? Infinity : grace)) return { escalated: false };
  members.kill();
  await members.waitEmpty(Infinity);
  return { escalated: true };
}

// How a supervised child holds its descendants together, and how it is signalled and stopped.
// Three modes share one interface:
//   'group'  — the child leads a process group; a stop is signal → grace → SIGKILL on the group,
//              done when the group is empty. A descendant that calls setsid() leaves the group
//              and is NOT contained (documented and tested).
//   'reaper' — procctl-init in contained mode (subreaper + parent-death signal) runs the command
//              and holds its whole subtree, escapees included, even when the supervisor is SIGKILLed.
//   'cgroup' — the child starts in its own cgroup v2; nothing it starts can leave it.
// In every mode the child's life ends when everything it contained is gone: after the main
// process exits on its own, leftovers get the stop signal, then SIGKILL after stopTimeout.
import { spawn } from '../spawn/spawn.js';
import type { ExitResult } from '../exit.js';
import type { Subprocess } from '../spawn/subprocess.js';
import type { NormalizedChild } from './spec.js';
import { startInReaper } from './reaper-client.js';
import { startInCgroup } from './cgroup-containment.js';

/** A running supervised child, whatever its containment. */
export interface Contained {
  /** The supervised process: the command itself, or its reaper (procctl-init). */
  readonly process: Subprocess;
  /** Resolves once the child and everything it contained are gone, with the command's exit. */
  readonly finished: Promise<ExitResult>;
  /** Send a signal to everything contained (the forwarding path). */
  signal(sig: number): void;
  /** Graceful stop: sig, up to graceMs, then SIGKILL; resolves when nothing contained is left. */
  stop(sig: number, graceMs: number): Promise<ExitResult>;
}

/** Settings of the supervisor that containments need. */
export interface ContainContext {
  /** Resolved procctl-init path (only needed by 'reaper' children). */
  reaperPath: string | null;
  /** Resolved cgroup parent (only needed by 'cgroup' children). */
  cgroupParent: string | null;
}

function ignoreGone(action: () => void): void {
  try {
    action();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
  }
}

function startInGroup(child: NormalizedChild): Contained {
  const proc = spawn(child.file, child.args, { ...child.options, group: 'new' });
  // terminate() sweeps the group (signal, grace, SIGKILL) and resolves when it is empty; on a
  // natural exit it only acts when members are left (a reaped leader with an empty group is a no-op).
  // One sweep per child, as for the cgroup containment: a stop and the leader's exit during it
  // must not signal the surviving members twice.
  let stopping: Promise<ExitResult> | undefined;
  const sweep = (signal: number, grace: number): Promise<ExitResult> => (stopping ??= proc.terminate({ signal, grace }));
  const finished = proc.exited.then(() => sweep(child.stopSignal, child.stopTimeout));
  return {
    process: proc,
    finished,
    signal: (sig) => ignoreGone(() => proc.killGroup(sig)),
    stop: async (sig, graceMs) => {
      await sweep(sig, graceMs);
      return finished;
    },
  };
}

/** Start a child in its containment. Throws (nothing left behind) when the spawn fails. */
export function startContained(child: NormalizedChild, context: ContainContext): Contained {
  switch (child.contain) {
    case 'group':
      return startInGroup(child);
    case 'reaper':
      return startInReaper(child, context.reaperPath!);
    case 'cgroup':
      return startInCgroup(child, context.cgroupParent!);
  }
}

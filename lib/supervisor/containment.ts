// How a supervised child holds its descendants together, and how it is signalled and stopped.
// Three modes share one interface (Contained, in contained.ts):
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
import type { NormalizedChild } from './spec.js';
import { startInReaper } from './reaper-client.js';
import { startInCgroup } from './cgroup-containment.js';
import type { ContainContext, Contained } from './contained.js';

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

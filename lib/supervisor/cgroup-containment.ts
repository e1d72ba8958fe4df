// contain: 'cgroup' — each run of a child gets a fresh cgroup v2 directory, joined at spawn time
// (the native child setup moves itself in before exec), so every descendant is in it whatever it
// does with sessions and parents. Stop: the stop signal to every member (escapees get the graceful
// signal too), up to the grace period for the cgroup to empty, then cgroup.kill; done when the
// cgroup is no longer populated (the one group stop, group/stop.ts, over cgroupMembership), and
// then the directory is removed.
import { spawn } from '../spawn/spawn.js';
import type { ExitResult } from '../exit.js';
import type { Contained } from './contained.js';
import type { NormalizedChild } from './spec.js';
import { stopMembers } from '../group/stop.js';
import { cgroupMembership, createChildCgroup, removeCgroup, signalCgroup } from './cgroup.js';

export function startInCgroup(child: NormalizedChild, parent: string): Contained {
  const dir = createChildCgroup(parent, child.name);
  let proc;
  try {
    proc = spawn(child.file, child.args, { ...child.options, group: 'new', cgroup: dir });
  } catch (error) {
    void removeCgroup(dir);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const members = cgroupMembership(dir);
  const drain = (sig: number, graceMs: number): Promise<void> => (stopping ??= stopMembers(members, sig, graceMs).then(() => undefined));

  const finished: Promise<ExitResult> = proc.exited.then(async (exit) => {
    await drain(child.stopSignal, child.stopTimeout);
    await removeCgroup(dir);
    return exit;
  });

  return {
    process: proc,
    finished,
    signal: (sig) => void signalCgroup(dir, sig),
    stop: async (sig, graceMs) => {
      await drain(sig, graceMs);
      return finished;
    },
  };
}

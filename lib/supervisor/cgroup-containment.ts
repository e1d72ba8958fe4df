// contain: 'cgroup' — each run of a child gets a fresh cgroup v2 directory, joined at spawn time
// (the native child setup moves itself in before exec), so every descendant is in it whatever it
// does with sessions and parents. Stop: the stop signal to every member (escapees get the graceful
// signal too), up to the grace period for the cgroup to empty, then cgroup.kill; done when the
// cgroup is no longer populated, and then the directory is removed.
import { spawn } from '../spawn.js';
import type { ExitResult } from '../exit.js';
import type { Contained } from './containment.js';
import type { NormalizedChild } from './spec.js';
import { SIGCONT, SIGKILL } from '../signals.js';
import { createChildCgroup, killCgroup, removeCgroup, signalCgroup, waitCgroupEmpty } from './cgroup.js';

/** Signal, grace, cgroup.kill, wait until empty. */
async function emptyCgroup(dir: string, sig: number, graceMs: number): Promise<void> {
  signalCgroup(dir, sig);
  // A stopped member keeps the signal pending until continued (as kill-group sweeps do).
  if (sig !== SIGKILL && sig !== SIGCONT) signalCgroup(dir, SIGCONT);
  if (await waitCgroupEmpty(dir, graceMs)) return;
  killCgroup(dir);
  await waitCgroupEmpty(dir, Infinity);
}

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
  const drain = (sig: number, graceMs: number): Promise<void> => (stopping ??= emptyCgroup(dir, sig, graceMs));

  const finished: Promise<ExitResult> = proc.exited.then(async (exit) => {
    await drain(child.stopSignal, child.stopTimeout);
    await removeCgroup(dir);
    return exit;
  });

  return {
    process: proc,
    finished,
    signal: (sig) => signalCgroup(dir, sig),
    stop: async (sig, graceMs) => {
      await drain(sig, graceMs);
      return finished;
    },
  };
}

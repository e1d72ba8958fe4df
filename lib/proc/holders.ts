// Who holds a pipe, socket or FIFO: one pass over every process's fd table, matching readlink
// targets. Processes whose fds we may not read (another user, not root) are skipped.
import { readFdTargets } from './fds.js';
import { listPids } from './pids.js';

export interface Holder {
  pid: number;
  fd: number;
}

/** For each target ('pipe:[123]', …), every (pid, fd) that has it open, pids ascending. */
export function findHolders(targets: ReadonlySet<string>, pids?: readonly number[]): Map<string, Holder[]> {
  const found = new Map<string, Holder[]>();
  if (targets.size === 0) return found; // before listing /proc: most processes share nothing
  for (const pid of pids ?? listPids()) {
    let fds: Array<[number, string]>;
    try {
      fds = readFdTargets(pid);
    } catch {
      continue; // gone, a kernel thread, or not ours to read
    }
    for (const [fd, target] of fds) {
      if (!targets.has(target)) continue;
      let list = found.get(target);
      if (list === undefined) found.set(target, (list = []));
      list.push({ pid, fd });
    }
  }
  return found;
}

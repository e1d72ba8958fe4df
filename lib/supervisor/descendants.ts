// The subtree of a process, from one /proc scan: every live process whose ppid chain leads to it.
// For a subreaper (or PID 1) this is everything it is still responsible for, since orphans below
// it are re-parented to it rather than escaping to the system's init.
import { listPids } from '../proc/pids.js';
import { tryReadStat, type ProcStat } from '../proc/stat.js';

/** Live (non-zombie) descendants of `root`, parents before children. */
export function liveDescendants(root: number = process.pid): ProcStat[] {
  const childrenOf = new Map<number, ProcStat[]>();
  for (const pid of listPids()) {
    const stat = tryReadStat(pid);
    if (stat === undefined) continue;
    const siblings = childrenOf.get(stat.ppid);
    if (siblings === undefined) childrenOf.set(stat.ppid, [stat]);
    else siblings.push(stat);
  }
  const out: ProcStat[] = [];
  const queue = [...(childrenOf.get(root) ?? [])];
  for (let stat = queue.shift(); stat !== undefined; stat = queue.shift()) {
    if (stat.state !== 'Z') out.push(stat);
    queue.push(...(childrenOf.get(stat.pid) ?? []));
  }
  return out;
}

/**
 * Send sig to every live descendant of root, except members of `skipGroup` (the caller signals
 * that group with one killpg, and a second copy of the signal would run their handlers twice).
 */
export function signalDescendants(sig: number, root: number = process.pid, skipGroup = 0): void {
  for (const { pid, pgid } of liveDescendants(root)) {
    if (pgid === skipGroup) continue;
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  }
}

// Who still holds a child's pipe after the child exited. The two ends of a pipe share one inode,
// and /proc/PID/fd/N of any process holding either end reads `pipe:[INODE]`; the scan itself is
// lib/proc/holders.ts. Used only after a drain timed out: a full scan costs a readlink per open fd
// on the machine.
import { readlinkSync } from 'node:fs';
import { findHolders } from './proc/holders.js';

/** The `pipe:[INODE]` link of one of this process's fds, or null when it is not a pipe (or closed). */
export function pipeLinkOf(fd: number): string | null {
  try {
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    return link.startsWith('pipe:[') ? link : null;
  } catch {
    return null;
  }
}

/** PIDs other than this process with an fd on any of the given `pipe:[INODE]` links, sorted. */
export function findPipeHolders(pipes: Iterable<string>): number[] {
  const holders = new Set<number>();
  for (const list of findHolders(new Set(pipes)).values()) {
    for (const { pid } of list) if (pid !== process.pid) holders.add(pid);
  }
  return [...holders].sort((a, b) => a - b);
}

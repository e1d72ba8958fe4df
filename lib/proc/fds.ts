// /proc/PID/fd: what each open fd of a process refers to. Pipes, sockets and FIFOs are kept with
// their readlink target ('pipe:[1234]', 'socket:[5678]', a FIFO's path), which is the same string
// in every process holding the same object; that target is how sharing is matched.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { isGone, noSuchProcess } from './stat.js';

export type FdType = 'pipe' | 'socket' | 'fifo' | 'file' | 'dir' | 'tty' | 'char' | 'block' | 'anon' | 'unknown';

export interface FdEntry {
  fd: number;
  /** readlink of /proc/PID/fd/N: a path, 'pipe:[inode]', 'socket:[inode]', 'anon_inode:[eventfd]'. */
  target: string;
  type: FdType;
}

/** 'r', 'w' or 'rw' from the access mode in /proc/PID/fdinfo/N; undefined if unreadable. */
export type AccessMode = 'r' | 'w' | 'rw';

/** The inode inside 'pipe:[123]' or 'socket:[123]', else undefined. */
export function targetInode(target: string): number | undefined {
  const match = /^(?:pipe|socket):\[(\d+)\]$/.exec(target);
  return match ? Number(match[1]) : undefined;
}

/** True for the fd kinds whose other holders procctl names: pipes, sockets and FIFOs. */
export function isShareable(type: FdType): boolean {
  return type === 'pipe' || type === 'socket' || type === 'fifo';
}

function classifyPath(pid: number, fd: number, target: string): FdType {
  try {
    // stat through the fd link: it reaches the open object even if the path was renamed.
    const stat = statSync(`/proc/${pid}/fd/${fd}`);
    if (stat.isFIFO()) return 'fifo';
    if (stat.isDirectory()) return 'dir';
    if (stat.isBlockDevice()) return 'block';
    if (stat.isCharacterDevice()) return /^\/dev\/(pts\/|tty|console)/.test(target) ? 'tty' : 'char';
    return 'file';
  } catch {
    return 'unknown';
  }
}

/** Classify one fd from its target (and, for paths, a stat through the fd). */
export function classifyFd(pid: number, fd: number, target: string): FdType {
  if (target.startsWith('pipe:[')) return 'pipe';
  if (target.startsWith('socket:[')) return 'socket';
  if (target.startsWith('anon_inode:')) return 'anon';
  if (target.startsWith('/')) return classifyPath(pid, fd, target);
  return 'unknown';
}

/** fd numbers and targets, tolerating fds that close meanwhile. Throws if the fd table is unreadable. */
export function readFdTargets(pid: number): Array<[fd: number, target: string]> {
  const out: Array<[number, string]> = [];
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push([Number(name), readlinkSync(`/proc/${pid}/fd/${name}`)]);
    } catch {
      // closed between readdir and readlink
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Every open fd of a process, classified. ESRCH error when the process is gone. */
export function readFds(pid: number): FdEntry[] {
  let targets: Array<[number, string]>;
  try {
    targets = readFdTargets(pid);
  } catch (error) {
    throw isGone(error) ? noSuchProcess(pid, error) : error;
  }
  return targets.map(([fd, target]) => ({ fd, target, type: classifyFd(pid, fd, target) }));
}

/** Access mode of an fd, from the flags line of /proc/PID/fdinfo/N. */
export function readAccessMode(pid: number, fd: number): AccessMode | undefined {
  try {
    const match = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (!match) return undefined;
    const mode = Number.parseInt(match[1] ?? '0', 8) & 3;
    return mode === 0 ? 'r' : mode === 1 ? 'w' : 'rw';
  } catch {
    return undefined;
  }
}

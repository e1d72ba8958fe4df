// cgroup v2 directories for contain: 'cgroup'. A child joins its own cgroup at spawn time (the
// spawn option `cgroup`), so nothing it starts can leave it: setsid and double fork change the
// session and parent, never the cgroup. Stopping writes "1" to cgroup.kill (kernel >= 5.14), which
// SIGKILLs every member atomically, and the stop is done when cgroup.events says "populated 0".
//
// The parent directory is `cgroupParent` when given, else this process's own cgroup on the cgroup2
// mount (found in /proc/self/mountinfo, never assumed: on hybrid systems it is
// /sys/fs/cgroup/unified). A parent must be a writable cgroup2 directory.
import { accessSync, constants, mkdirSync, readFileSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGKILL } from '../signals.js';
import type { Membership } from '../group/stop.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Octal escapes of /proc/self/mountinfo paths (\040 for a space). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Mount point of the cgroup2 filesystem, or null (fields: … mountpoint … - fstype source opts). */
export function findCgroup2Mount(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string | null {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right === undefined || right.split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = left!.split(' ')[4];
    if (mountPoint !== undefined) return unescapeMountPath(mountPoint);
  }
  return null;
}

/** This process's cgroup v2 path (the "0::/path" line of /proc/self/cgroup), or null. */
export function ownCgroupPath(cgroupFile = readFileSync('/proc/self/cgroup', 'utf8')): string | null {
  const line = cgroupFile.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? null : line.slice(3);
}

function isWritableCgroup2Dir(dir: string): boolean {
  try {
    if (statfsSync(dir).type !== CGROUP2_SUPER_MAGIC) return false;
    accessSync(dir, constants.W_OK);
    accessSync(join(dir, 'cgroup.procs'), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directory children's cgroups are created under; throws naming `cgroupParent` when none fits. */
export function resolveCgroupParent(configured: string | null): string {
  if (configured !== null) {
    if (!isWritableCgroup2Dir(configured)) {
      throw new Error(`cgroupParent: ${JSON.stringify(configured)} is not a writable cgroup v2 directory`);
    }
    return configured;
  }
  const mount = findCgroup2Mount();
  const own = ownCgroupPath();
  if (mount === null || own === null) {
    throw new Error(`cgroupParent: no cgroup v2 hierarchy is mounted (contain: 'cgroup' needs one); set cgroupParent or use contain: 'reaper'`);
  }
  const candidate = join(mount, own);
  if (!isWritableCgroup2Dir(candidate)) {
    throw new Error(`cgroupParent: this process's cgroup ${JSON.stringify(candidate)} is not writable; set cgroupParent to a writable cgroup v2 directory or use contain: 'reaper'`);
  }
  return candidate;
}

let sequence = 0;

/** Create a fresh cgroup for one run of a child. */
export function createChildCgroup(parent: string, name: string): string {
  const dir = join(parent, `procctl-${process.pid}-${name}-${++sequence}`);
  mkdirSync(dir);
  return dir;
}

/** Live members (cgroup.procs); empty when the cgroup is gone. */
export function cgroupMembers(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isCgroupPopulated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Send sig to every member (ESRCH ignored: a member may exit while we walk the list). false when
 * the cgroup has no member left.
 */
export function signalCgroup(dir: string, sig: number): boolean {
  const members = cgroupMembers(dir);
  for (const pid of members) {
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  }
  return members.length > 0 || isCgroupPopulated(dir);
}

/** SIGKILL every member: cgroup.kill when the kernel has it, else member by member. */
export function killCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    signalCgroup(dir, SIGKILL);
  }
}

/** Poll until no live process is left in the cgroup; false when timeoutMs passed first. */
export async function waitCgroupEmpty(dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 2; isCgroupPopulated(dir); interval = Math.min(interval * 2, 50)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(interval, left));
  }
  return true;
}

/** A cgroup as a stop's membership (see group/stop.ts): escapees get the graceful signal too. */
export function cgroupMembership(dir: string): Membership {
  return {
    signal: (signo) => signalCgroup(dir, signo),
    kill: () => killCgroup(dir),
    waitEmpty: (timeoutMs) => waitCgroupEmpty(dir, timeoutMs),
    resume: true,
  };
}

/** Remove an empty cgroup; EBUSY right after the last exit is retried briefly. */
export async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= 50) throw error;
      await sleep(10);
    }
  }
}

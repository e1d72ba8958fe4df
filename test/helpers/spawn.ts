// Helpers for the spawn, exec and kill-group suites: a registry of what a test started (so that
// cleanup kills every group and straggler even when an assertion failed), unique argv markers to
// find grandchildren by cmdline, and waits for a child to be past its execve.
import { readFileSync } from 'node:fs';
import { findByCmdline, killAll, killGroupQuietly, readStat, waitUntil } from './proc.js';

/** Everything a test started: pgids to SIGKILL and cmdline markers of strays to hunt down. */
export class Started {
  readonly pgids = new Set<number>();
  readonly markers = new Set<string>();

  group<T extends { pgid: number }>(child: T): T {
    this.pgids.add(child.pgid);
    return child;
  }

  /** A marker unique to this run, usable as a sleep argument: `sleep 30.<random>`. */
  sleepArg(): string {
    const marker = `30.${process.pid}${Math.floor(Math.random() * 1e6)}`;
    this.markers.add(marker);
    return marker;
  }

  /** Processes still running with one of this test's markers in their argv. */
  stragglers(): number[] {
    return [...this.markers].flatMap((m) => findByCmdline(m));
  }

  /** The `sleep` processes (not the shells that mention the marker) still running. */
  sleepers(): number[] {
    return this.stragglers().filter((pid) => {
      try {
        return readStat(pid).comm === 'sleep';
      } catch {
        return false;
      }
    });
  }

  cleanup(): void {
    for (const pgid of this.pgids) killGroupQuietly(pgid);
    killAll(this.stragglers());
  }
}

/**
 * Wait until a `sleep` child is blocked in its sleep syscall (x86-64 nanosleep 35 or
 * clock_nanosleep 230, from /proc/PID/syscall): past the dynamic loader and its start-up, so its
 * fd table is final.
 */
export async function sleepingNow(pid: number): Promise<void> {
  await waitUntil(() => {
    try {
      return /^(35|230) /.test(readFileSync(`/proc/${pid}/syscall`, 'utf8'));
    } catch {
      return false;
    }
  }, 3000, `${pid} blocked in its sleep`);
}

/**
 * Wait until a freshly spawned pid has finished its execve. Under CLONE_VFORK the parent resumes
 * as soon as the child's new mm is installed, a moment before the kernel records where argv and
 * environ live: /proc/PID/cmdline and environ read empty until then.
 */
export async function execDone(pid: number): Promise<void> {
  await waitUntil(() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`).length > 0;
    } catch {
      return true; // gone: nothing more to wait for
    }
  }, 2000, `exec of ${pid}`);
}

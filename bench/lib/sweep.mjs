// The safety net that keeps the bench from ever leaving processes behind. Every worker runs with
// PROCCTL_BENCH_RUN=<id> in its environment, which every child it starts inherits; after each
// worker, and when the runner exits for any reason, every process whose initial environment holds
// that entry is SIGKILLed. Scenarios also kill their own children in `finally`: this is the net
// under that (a worker that crashed or timed out).
import { readdirSync, readFileSync } from 'node:fs';

export const RUN_ENV = 'PROCCTL_BENCH_RUN';

/** PIDs whose /proc/PID/environ holds `${RUN_ENV}=${runId}` (this process excluded). */
export function findMarked(runId) {
  const needle = `\0${RUN_ENV}=${runId}\0`;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle)) pids.push(pid);
    } catch {
      // gone already, or a kernel thread
    }
  }
  return pids;
}

const MAX_PASSES = 50;

/**
 * SIGKILL every marked process, in passes until a pass finds none: a worker killed in one pass
 * may still have started a child after that pass listed /proc. Returns how many were killed.
 */
export function sweepMarked(runId) {
  let killed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const pids = findMarked(runId);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // exited in between
      }
    }
  }
  return killed;
}

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

/** SIGKILL every marked process; returns how many there were. */
export function sweepMarked(runId) {
  const pids = findMarked(runId);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in between
    }
  }
  return pids.length;
}

// The C bounds: bench/c/spawn-loop.c (posix_spawn + waitpid), run as a child of a scenario
// worker between the library cells, so it sees the same machine load as they do.
import { execFileSync } from 'node:child_process';

export const C_SPAWN = 'C posix_spawn (bound)';
export const C_EXIT = 'C waitpid (bound)';
/** The same bound taken in a C process grown to the Node worker's RSS. */
export const C_SPAWN_SAME_RSS = 'C posix_spawn, same RSS (bound)';

function runLoop(exe, args, env = process.env) {
  return execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env }).trim().split('\n');
}

/**
 * Serial spawn+wait under a round plan {budgetMs, maxIter}: samples in ms as collectSerial's,
 * syncs being the time inside posix_spawn itself (the floor for how long a spawn call blocks).
 * rssMiB > 0: the C process first grows its resident set by that much (not part of the timing).
 */
export function collectCSerial(exe, file, plan, rssMiB = 0) {
  const totals = [];
  const syncs = [];
  const env = rssMiB > 0 ? { ...process.env, SPAWN_LOOP_RSS_MIB: String(Math.round(rssMiB)) } : process.env;
  for (const line of runLoop(exe, ['serial', String(plan.maxIter), String(Math.ceil(plan.budgetMs)), file], env)) {
    const [total, call] = line.split(' ').map((ns) => Number(ns) / 1e6);
    totals.push(total);
    syncs.push(call);
  }
  return { totals, syncs };
}

/** Spawns per second of `total` spawns with `inFlight` at a time. */
export function cSpawnsPerSec(exe, file, total, inFlight) {
  const [ns] = runLoop(exe, ['inflight', String(total), String(inFlight), file]);
  return total / (Number(ns) / 1e9);
}

/** Exit-notification floor: the child's stamp to a blocking waitpid's return, µs per run. */
export function collectCExitLatency(exe, stampExe, stampFile, iterations) {
  return runLoop(exe, ['exitstamp', String(iterations), stampExe, stampFile]).map((ns) => Number(ns) / 1e3);
}


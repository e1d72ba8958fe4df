// The C bounds: bench/c/spawn-loop.c (posix_spawn + waitpid), run as a child of a scenario
// worker between the library cells, so it sees the same machine load as they do.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const C_SPAWN = 'C posix_spawn (bound)';
export const C_EXIT = 'C waitpid (bound)';
/** SIGTERM to N groups of a C parent → its last waitpid. */
export const C_GROUPS = 'C kill + waitpid (bound)';
/** The same bound taken in a C process grown to the Node worker's RSS. */
export const C_SPAWN_SAME_RSS = 'C posix_spawn, same RSS (bound)';

function runLoop(exe, args, env = process.env) {
  return execFileSync(exe, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env }).trim().split('\n');
}

/** "TOTAL CALL" lines (ns) as collectSerial's samples in ms. */
function serialSamples(lines) {
  const totals = [];
  const syncs = [];
  for (const line of lines) {
    const [total, call] = line.split(' ').map((ns) => Number(ns) / 1e6);
    totals.push(total);
    syncs.push(call);
  }
  return { totals, syncs };
}

/**
 * Serial spawn+wait under a round plan {budgetMs, maxIter}: samples in ms as collectSerial's,
 * syncs being the time inside posix_spawn itself (the floor for how long a spawn call blocks).
 */
export function collectCSerial(exe, file, plan) {
  return serialSamples(runLoop(exe, ['serial', String(plan.maxIter), String(Math.ceil(plan.budgetMs)), file]));
}

/**
 * The bound in one long-lived C process (`spawn-loop serve`) grown once by rssMiB of touched
 * memory, so that every round at a large RSS is measured in the same grown process (growing 4 GiB
 * anew for each round cost more than the round). Resolves once it is grown:
 * {rssBytes, collect(file, plan) → samples as collectCSerial's, close()}.
 */
export async function startCBound(exe, rssMiB) {
  const child = spawn(exe, ['serve'], { env: { ...process.env, SPAWN_LOOP_RSS_MIB: String(Math.round(rssMiB)) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(`spawn-loop serve exited ${code ?? signal}`)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  async function nextLine() {
    const next = await Promise.race([lines.next(), exited.then((why) => { throw new Error(why); })]);
    if (next.done) throw new Error('spawn-loop serve closed its output');
    return next.value;
  }
  const ready = await nextLine();
  if (!ready.startsWith('ready ')) throw new Error(`spawn-loop serve: unexpected ${JSON.stringify(ready)}`);
  return {
    rssBytes: Number(ready.slice('ready '.length)),
    async collect(file, plan) {
      child.stdin.write(`serial ${plan.maxIter} ${Math.ceil(plan.budgetMs)} ${file}\n`);
      const answer = [];
      for (let line = await nextLine(); line !== 'end'; line = await nextLine()) answer.push(line);
      return serialSamples(answer);
    },
    close() {
      child.stdin.end();
      child.kill('SIGKILL');
    },
  };
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


/**
 * The floor for "TERM to N groups → last exit": a C parent starts `count` children of `file`
 * (argument 1000), each leading its own group, waits settleMs, signals every group and waits for
 * every exit; the ms from the first kill to the last exit. env carries the bench's run marker, so
 * the sweep finds its children if it dies.
 */
export function cTerminateGroupsMs(exe, file, count, settleMs, env) {
  const [ns] = runLoop(exe, ['groups', String(count), String(settleMs), file, '1000'], env);
  return Number(ns) / 1e6;
}

// Timed loops shared by the scenarios. A cell runs until its time budget is spent, but never
// fewer than minIter nor more than maxIter iterations, so a 300 ms fork at 4 GB and a 0.3 ms
// vfork at 50 MB both finish in bounded time with enough samples.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { msSince, summarize } from './stats.mjs';
import { errorLine } from './format.mjs';

/** Name of the cell that spawns nothing: the event loop's own stall over the same stretch. */
export const LOOP_FLOOR = 'no spawn (event loop alone)';

/** The event-loop monitor's timer period; a stall is the measured delay minus this. */
export const LOOP_RESOLUTION_MS = 1;

/**
 * Stall watcher: monitorEventLoopDelay at 1 ms. stop() → {loopDelayMaxMs, stallMaxMs}, both
 * null when the timer never got to run (a loop that never yields to timers, as around spawnSync).
 */
export function watchEventLoop() {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      if (histogram.count === 0) return { loopDelayMaxMs: null, stallMaxMs: null };
      const loopDelayMaxMs = histogram.max / 1e6;
      return { loopDelayMaxMs, stallMaxMs: Math.max(0, loopDelayMaxMs - LOOP_RESOLUTION_MS) };
    },
  };
}

/** Whether another iteration is due under plan {budgetMs, minIter, maxIter}. */
function wantsMore(done, startNs, plan) {
  if (done >= plan.maxIter) return false;
  return done < plan.minIter || msSince(startNs) < plan.budgetMs;
}

/**
 * Warm-up before timing: `plan.warmup` calls, then more until `plan.warmupMs` have passed. The
 * time-bounded part lets V8 finish optimizing the code on the spawn path first: each optimizing
 * compile runs on a helper thread for 1–10 ms and, on a machine with few cores, the spawn calls
 * (and the event loop) wait behind it. Every cell gets the same warm-up, the event-loop floor
 * (no spawn at all) included; BENCHMARKS.md's Findings show what the stall is without it.
 */
async function warmUp(start, plan) {
  for (let i = 0; i < plan.warmup; i++) await start();
  const begin = process.hrtime.bigint();
  while (msSince(begin) < (plan.warmupMs ?? 0)) await start();
}

/**
 * Time `start()` (which returns a Promise) one at a time. Per iteration: total ms until the
 * Promise settles, and sync ms spent inside start() itself (time the loop could not run).
 * Returns the raw samples {totals, syncs, loopDelayMaxMs, stallMaxMs}; the longest stall is the
 * larger of what the loop monitor saw and the longest synchronous call, which the monitor cannot
 * see when the loop never reaches its timer phase.
 */
export async function collectSerial(start, plan) {
  await warmUp(start, plan);
  const totals = [];
  const syncs = [];
  const loop = watchEventLoop();
  const begin = process.hrtime.bigint();
  while (wantsMore(totals.length, begin, plan)) {
    const t0 = process.hrtime.bigint();
    const pending = start();
    const t1 = process.hrtime.bigint();
    await pending;
    const t2 = process.hrtime.bigint();
    syncs.push(Number(t1 - t0) / 1e6);
    totals.push(Number(t2 - t0) / 1e6);
  }
  const { loopDelayMaxMs, stallMaxMs } = loop.stop();
  return { totals, syncs, loopDelayMaxMs, stallMaxMs: Math.max(stallMaxMs ?? 0, ...syncs) };
}

/** Summaries of collected samples: {totalMs, syncMs, loopDelayMaxMs?, stallMaxMs?}. */
export function summarizeCollected({ totals, syncs, ...loop }) {
  return { totalMs: summarize(totals), syncMs: summarize(syncs), ...loop };
}

/** Samples of two rounds of one cell as one (arrays joined, maxima kept). */
function mergeCollected(a, b) {
  if (!a) return b;
  const merged = { totals: [...a.totals, ...b.totals], syncs: [...a.syncs, ...b.syncs] };
  for (const key of ['loopDelayMaxMs', 'stallMaxMs']) {
    if (a[key] != null || b[key] != null) merged[key] = Math.max(a[key] ?? 0, b[key] ?? 0);
  }
  return merged;
}

/** The share of a plan one of `rounds` rounds gets (warm-up only in the first round). */
function roundPlan(plan, rounds, round) {
  return {
    budgetMs: plan.budgetMs / rounds,
    minIter: Math.ceil(plan.minIter / rounds),
    maxIter: Math.ceil(plan.maxIter / rounds),
    warmup: round === 0 ? plan.warmup : 0,
    warmupMs: round === 0 ? plan.warmupMs : 0,
  };
}

/**
 * Run cells in interleaved rounds (cell A, B, C, then A, B, C again…) so that load from elsewhere
 * on the machine falls on every cell alike instead of on whichever ran during a burst.
 * cells: [{name, run(round) → Promise<result>}]. A cell that throws is skipped from then on.
 * Returns Map name → {results: [one per round], error: string | null}.
 */
export async function interleaveRounds(cells, rounds) {
  const outcome = new Map(cells.map((cell) => [cell.name, { results: [], error: null }]));
  for (let round = 0; round < rounds; round++) {
    for (const cell of cells) {
      const entry = outcome.get(cell.name);
      if (entry.error) continue;
      try {
        entry.results.push(await cell.run(round));
      } catch (error) {
        entry.error = errorLine(error);
      }
    }
  }
  return outcome;
}

/**
 * Serial timing cells (collect(plan) → samples like collectSerial's) measured in interleaved
 * rounds that share out the plan. Returns [{name, ...summaries, roundMedians} | {name, error}].
 */
export async function measureInRounds(cells, plan, onCell = () => {}) {
  const rounds = plan.rounds ?? 1;
  const outcome = await interleaveRounds(
    cells.map((cell) => ({ name: cell.name, run: (round) => cell.collect(roundPlan(plan, rounds, round)) })),
    rounds,
  );
  return cells.map(({ name }) => {
    const { results, error } = outcome.get(name);
    // roundMedians: the median of each round alone, so rounds can be compared side by side.
    const row = error ? { name, error } : {
      name, ...summarizeCollected(results.reduce(mergeCollected, null)),
      roundMedians: results.map((r) => summarize(r.totals).median),
    };
    onCell(row);
    return row;
  });
}

/**
 * Run `total` calls of start() with `inFlight` outstanding at a time.
 * Returns {elapsedMs, spawnsPerSec, latenciesMs (per call, start to settle)}.
 */
export async function timePool(start, total, inFlight) {
  let started = 0;
  const latencies = [];
  const lane = async () => {
    while (started < total) {
      started++;
      const t0 = process.hrtime.bigint();
      await start();
      latencies.push(msSince(t0));
    }
  };
  const begin = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsedMs = msSince(begin);
  return { elapsedMs, spawnsPerSec: total / (elapsedMs / 1000), latenciesMs: latencies };
}

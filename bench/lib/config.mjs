// How much each scenario measures, in the full run and in --quick (CI smoke: < 60 s, RSS levels
// 50 MB and 1 GB only). Spawn cells are bounded by a time budget with min/max iteration counts,
// so a fork-based library at 4 GB (~0.3 s per spawn) and a vfork one (~0.3 ms) both finish; the
// budget is split over interleaved rounds (all libraries, then all again) to spread machine noise.

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export const MODES = {
  full: {
    rssLevels: [
      { label: '50 MB', targetBytes: 50 * MiB },
      { label: '1 GB', targetBytes: 1 * GiB },
      { label: '4 GB', targetBytes: 4 * GiB },
    ],
    spawnPlan: { rounds: 6, budgetMs: 3000, minIter: 6, maxIter: 4000, warmup: 3, warmupMs: 2000 },
    throughput: { total: 2000, inFlight: 64, repeats: 3 },
    exitLatency: { iterations: 1000, warmup: 20, chunk: 50 },
    idle: { count: 1000, repeats: 3 },
    execPlan: { rounds: 6, budgetMs: 3000, minIter: 20, maxIter: 4000, warmup: 5 },
    deadlineMs: { spawn: 240_000, throughput: 360_000, exit: 120_000, idle: 60_000, exec: 120_000, extra: 180_000 },
  },
  quick: {
    rssLevels: [
      { label: '50 MB', targetBytes: 50 * MiB },
      { label: '1 GB', targetBytes: 1 * GiB },
    ],
    spawnPlan: { rounds: 4, budgetMs: 400, minIter: 4, maxIter: 400, warmup: 1, warmupMs: 200 },
    throughput: { total: 500, inFlight: 64, repeats: 1 },
    exitLatency: { iterations: 100, warmup: 5, chunk: 25 },
    idle: { count: 200, repeats: 1 },
    execPlan: { rounds: 4, budgetMs: 400, minIter: 4, maxIter: 400, warmup: 2 },
    // Bounds against a hang, not targets: CI's smoke run shares two cores with whatever else runs
    // (a 30 s throughput bound was seen to expire at a load of 7).
    deadlineMs: { spawn: 120_000, throughput: 120_000, exit: 60_000, idle: 60_000, exec: 60_000, extra: 90_000 },
  },
};

/** Programs every scenario runs, by absolute path (no PATH search in any library's timing). */
export const PROGRAMS = {
  true: '/bin/true',
  echo: '/bin/echo',
  sleep: '/bin/sleep',
};

// Scenario: exit-notification latency. The child (bench/c/stamp-exit.c) writes its
// CLOCK_MONOTONIC stamp to a file just before _exit; the latency is the time the library's exit
// callback ran (process.hrtime.bigint(), the same clock) minus that stamp. Libraries and the C
// floor (a blocking waitpid) take turns in chunks of `chunk` runs (lib/measure.mjs).
// Config: {stampExe, stampFile, spawnLoop, iterations, warmup, chunk}.
// Result: {rows: [{name, latencyUs: summary} | {name, error}], cBound: {name, latencyUs}, missing}.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { C_EXIT, collectCExitLatency } from '../lib/c-bound.mjs';
import { loadLibraries } from '../lib/libraries.mjs';
import { interleaveRounds } from '../lib/measure.mjs';
import { summarize } from '../lib/stats.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';

/** One spawn; the stamp file is cleared first so a stale stamp can never be read. */
async function measureOnce(adapter, stampExe, stampFile) {
  writeFileSync(stampFile, '0');
  const callbackNs = await adapter.exitTime(stampExe, [stampFile]);
  const stampNs = BigInt(readFileSync(stampFile, 'utf8').trim());
  if (stampNs === 0n) throw new Error(`${stampExe} exited without writing its stamp`);
  return Number(callbackNs - stampNs) / 1e3;
}

/** One cell per library plus the C floor; each run is one chunk, warm-up before the first. */
function cellsFor(loaded, { stampExe, stampFile, spawnLoop, warmup, chunk }) {
  const cells = loaded.map(({ name, adapter }) => {
    const measureMany = async (n) => {
      const samples = [];
      for (let i = 0; i < n; i++) samples.push(await measureOnce(adapter, stampExe, stampFile));
      return samples;
    };
    return {
      name,
      async run(round) {
        if (round === 0) await measureMany(warmup);
        return measureMany(chunk);
      },
    };
  });
  cells.push({ name: C_EXIT, run: async () => collectCExitLatency(spawnLoop, stampExe, stampFile, chunk) });
  return cells;
}

await runScenario(async (config) => {
  const { loaded, missing } = await loadLibraries('exitTime');
  const cells = cellsFor(loaded, config);
  let outcome;
  try {
    outcome = await interleaveRounds(cells, Math.ceil(config.iterations / config.chunk));
  } finally {
    rmSync(config.stampFile, { force: true });
  }
  const rows = cells.map(({ name }) => {
    const { results, error } = outcome.get(name);
    const row = error ? { name, error } : { name, latencyUs: summarize(results.flat()) };
    progress('exit', row.error ? `${name}: failed: ${row.error}`
      : `${name}: median ${row.latencyUs.median.toFixed(1)} µs, p99 ${row.latencyUs.p99.toFixed(1)} µs`);
    return row;
  });
  return { iterations: config.iterations, rows: rows.filter((row) => row.name !== C_EXIT),
    cBound: rows.find((row) => row.name === C_EXIT), missing };
});

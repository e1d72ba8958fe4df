// Scenario: exit-notification latency. The child (bench/c/stamp-exit.c) writes its
// CLOCK_MONOTONIC stamp to a file just before _exit; the latency is the time the library's exit
// callback ran (process.hrtime.bigint(), the same clock) minus that stamp. Libraries and the C
// floor (a blocking waitpid) take turns in chunks of `chunk` runs.
// Config: {stampExe, stampFile, spawnLoop, iterations, warmup, chunk}.
// Result: {rows: [{name, latencyUs: summary} | {name, error}], cBound: {name, latencyUs}, missing}.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { C_EXIT, collectCExitLatency } from '../lib/c-bound.mjs';
import { loadLibraries } from '../lib/libraries.mjs';
import { summarize } from '../lib/stats.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';
import { errorLine } from '../lib/format.mjs';

/** One spawn; the stamp file is cleared first so a stale stamp can never be read. */
async function measureOnce(adapter, stampExe, stampFile) {
  writeFileSync(stampFile, '0');
  const callbackNs = await adapter.exitTime(stampExe, [stampFile]);
  const stampNs = BigInt(readFileSync(stampFile, 'utf8').trim());
  if (stampNs === 0n) throw new Error(`${stampExe} exited without writing its stamp`);
  return Number(callbackNs - stampNs) / 1e3;
}

function cellsFor(loaded, { stampExe, stampFile, spawnLoop }) {
  const cells = loaded.map(({ name, adapter }) => ({
    name,
    async run(n) {
      const samples = [];
      for (let i = 0; i < n; i++) samples.push(await measureOnce(adapter, stampExe, stampFile));
      return samples;
    },
  }));
  cells.push({ name: C_EXIT, run: async (n) => collectCExitLatency(spawnLoop, stampExe, stampFile, n) });
  return cells;
}

await runScenario(async (config) => {
  const { loaded, missing } = await loadLibraries('exitTime');
  const cells = cellsFor(loaded, config);
  const acc = new Map(cells.map((c) => [c.name, { samples: [], error: null }]));
  /** Run one chunk of a cell; a failure marks the cell failed for the rest of the run. */
  const runChunk = async (cell, n, keep) => {
    const a = acc.get(cell.name);
    if (a.error) return;
    try {
      const samples = await cell.run(n);
      if (keep) a.samples.push(...samples);
    } catch (error) {
      a.error = errorLine(error);
    }
  };
  try {
    for (const cell of cells) await runChunk(cell, config.warmup, false);
    for (let done = 0; done < config.iterations; done += config.chunk) {
      for (const cell of cells) await runChunk(cell, Math.min(config.chunk, config.iterations - done), true);
    }
  } finally {
    rmSync(config.stampFile, { force: true });
  }
  const rows = cells.map(({ name }) => {
    const a = acc.get(name);
    const row = a.error ? { name, error: a.error } : { name, latencyUs: summarize(a.samples) };
    progress('exit', row.error ? `${name}: failed: ${row.error}`
      : `${name}: median ${row.latencyUs.median.toFixed(1)} µs, p99 ${row.latencyUs.p99.toFixed(1)} µs`);
    return row;
  });
  return { iterations: config.iterations, rows: rows.filter((row) => row.name !== C_EXIT),
    cBound: rows.find((row) => row.name === C_EXIT), missing };
});

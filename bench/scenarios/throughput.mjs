// Scenario: `total` spawns of /bin/true with `inFlight` outstanding at a time, per library, and
// the C bound doing the same; repeats are interleaved across libraries (lib/measure.mjs). Libraries that block the
// thread (spawnSync) have no "in flight" and are left out.
// Config: {file, total, inFlight, repeats, spawnLoop}.
// Result: {rows: [{name, spawnsPerSec: summary over repeats, latencyMs: summary per spawn} |
// {name, error}], cInflight: {name, spawnsPerSec}, missing}.
import { C_SPAWN, cSpawnsPerSec } from '../lib/c-bound.mjs';
import { loadLibraries } from '../lib/libraries.mjs';
import { interleaveRounds, timePool } from '../lib/measure.mjs';
import { summarize } from '../lib/stats.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';

/** One cell per library (warmed up before its first repeat) plus the C bound. */
function cellsFor(loaded, { file, total, inFlight, spawnLoop }) {
  const cells = loaded.filter((l) => !l.adapter.blocking).map(({ name, adapter }) => {
    const start = () => adapter.spawnWait(file, []);
    return {
      name,
      async run(round) {
        if (round === 0) await timePool(start, Math.min(total, 2 * inFlight), inFlight);
        return timePool(start, total, inFlight);
      },
    };
  });
  cells.push({ name: C_SPAWN, run: async () => ({ spawnsPerSec: cSpawnsPerSec(spawnLoop, file, total, inFlight) }) });
  return cells;
}

function summarizeRuns(name, { results, error }) {
  if (error) return { name, error };
  const latencies = results.flatMap((run) => run.latenciesMs ?? []);
  return {
    name,
    spawnsPerSec: summarize(results.map((run) => run.spawnsPerSec)),
    latencyMs: latencies.length ? summarize(latencies) : null,
  };
}

await runScenario(async (config) => {
  const { loaded, missing } = await loadLibraries('spawnWait');
  const cells = cellsFor(loaded, config);
  const outcome = await interleaveRounds(cells, config.repeats);
  const rows = cells.map(({ name }) => {
    const row = summarizeRuns(name, outcome.get(name));
    progress('throughput', row.error ? `${name}: failed: ${row.error}` : `${name}: ${row.spawnsPerSec.median.toFixed(0)} spawns/s`);
    return row;
  });
  return { total: config.total, inFlight: config.inFlight, repeats: config.repeats,
    rows: rows.filter((row) => row.name !== C_SPAWN), cInflight: rows.find((row) => row.name === C_SPAWN), missing };
});

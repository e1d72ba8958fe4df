// Scenario: `total` spawns of /bin/true with `inFlight` outstanding at a time, per library, and
// the C bound doing the same; repeats are interleaved across libraries. Libraries that block the
// thread (spawnSync) have no "in flight" and are left out.
// Config: {file, total, inFlight, repeats, spawnLoop}.
// Result: {rows: [{name, spawnsPerSec: summary over repeats, latencyMs: summary per spawn} |
// {name, error}], cInflight: {name, spawnsPerSec}, missing}.
import { C_SPAWN, cSpawnsPerSec } from '../lib/c-bound.mjs';
import { loadLibraries } from '../lib/libraries.mjs';
import { timePool } from '../lib/measure.mjs';
import { summarize } from '../lib/stats.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';
import { errorLine } from '../lib/format.mjs';

/** One cell per library (warmed up before its first repeat) plus the C bound. */
function cellsFor(loaded, { file, total, inFlight, spawnLoop }) {
  const cells = loaded.filter((l) => !l.adapter.blocking).map(({ name, adapter }) => {
    const start = () => adapter.spawnWait(file, []);
    let warm = false;
    return {
      name,
      async run() {
        if (!warm) await timePool(start, Math.min(total, 2 * inFlight), inFlight);
        warm = true;
        return timePool(start, total, inFlight);
      },
    };
  });
  cells.push({ name: C_SPAWN, run: async () => ({ spawnsPerSec: cSpawnsPerSec(spawnLoop, file, total, inFlight) }) });
  return cells;
}

await runScenario(async (config) => {
  const { loaded, missing } = await loadLibraries('spawnWait');
  const cells = cellsFor(loaded, config);
  const runs = new Map(cells.map((c) => [c.name, { rates: [], latencies: [], error: null }]));
  for (let r = 0; r < config.repeats; r++) {
    for (const cell of cells) {
      const acc = runs.get(cell.name);
      if (acc.error) continue;
      try {
        const run = await cell.run();
        acc.rates.push(run.spawnsPerSec);
        acc.latencies.push(...(run.latenciesMs ?? []));
      } catch (error) {
        acc.error = errorLine(error);
      }
    }
  }
  const rows = cells.map(({ name }) => {
    const acc = runs.get(name);
    const row = acc.error ? { name, error: acc.error }
      : { name, spawnsPerSec: summarize(acc.rates), latencyMs: acc.latencies.length ? summarize(acc.latencies) : null };
    progress('throughput', row.error ? `${name}: failed: ${row.error}` : `${name}: ${row.spawnsPerSec.median.toFixed(0)} spawns/s`);
    return row;
  });
  return { total: config.total, inFlight: config.inFlight, repeats: config.repeats,
    rows: rows.filter((row) => row.name !== C_SPAWN), cInflight: rows.find((row) => row.name === C_SPAWN), missing };
});

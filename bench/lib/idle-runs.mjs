// The runner side of the idle-children scenario: one worker process per library and repeat
// (interleaved: A, B, A, B, …), figures summarized over the repeats.
import { loadLibraries } from './libraries.mjs';
import { runScenarioProcess } from './run-scenario.mjs';
import { summarize } from './stats.mjs';

const FIGURES = ['spawnAllMs', 'rssPerChildKb', 'terminateAllMs'];

/** Summaries over repeats per library, or {name, error} when any repeat failed. */
function summarizeRuns(names, runs, errors) {
  return names.map((name) => {
    if (errors.has(name)) return { name, error: errors.get(name) };
    const row = { name };
    for (const figure of FIGURES) row[figure] = summarize(runs.get(name).map((run) => run[figure]));
    return row;
  });
}

export async function measureIdleChildren(ctx, { sleepExe, count, repeats }, options) {
  const { loaded, missing } = await loadLibraries('idle');
  const names = loaded.map((l) => l.name);
  const runs = new Map(names.map((name) => [name, []]));
  const errors = new Map();
  for (let r = 0; r < repeats; r++) {
    for (const library of names) {
      if (errors.has(library)) continue;
      const result = await runScenarioProcess(ctx, 'idle-children', { sleepExe, count, library }, options);
      const row = result.rows?.find((x) => x.name === library);
      if (result.error || !row || row.error) errors.set(library, result.error ?? row?.error ?? 'no result');
      else runs.get(library).push(row);
    }
  }
  return { count, repeats, rows: summarizeRuns(names, runs, errors), missing };
}

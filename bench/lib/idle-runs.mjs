// The runner side of the idle-children scenario: one worker process per library and repeat
// (interleaved: A, B, A, B, …), figures summarized over the repeats.
import { loadLibraries } from './libraries.mjs';
import { interleaveRounds } from './measure.mjs';
import { runScenarioProcess } from './run-scenario.mjs';
import { summarize } from './stats.mjs';

const FIGURES = ['spawnAllMs', 'rssPerChildKb', 'terminateAllMs'];

/** One repeat of one library in a fresh worker; throws when it produced no figures. */
async function runOnce(ctx, config, library, options) {
  const result = await runScenarioProcess(ctx, 'idle-children', { ...config, library }, options);
  const row = result.rows?.find((x) => x.name === library);
  if (result.error || !row || row.error) throw new Error(result.error ?? row?.error ?? 'no result');
  return row;
}

/** Summaries over repeats per library, or {name, error} when a repeat failed. */
function summarizeRuns(name, { results, error }) {
  if (error) return { name, error };
  const row = { name };
  for (const figure of FIGURES) row[figure] = summarize(results.map((run) => run[figure]));
  return row;
}

export async function measureIdleChildren(ctx, { sleepExe, count, repeats }, options) {
  const { loaded, missing } = await loadLibraries('idle');
  const cells = loaded.map(({ name }) => ({ name, run: () => runOnce(ctx, { sleepExe, count }, name, options) }));
  const outcome = await interleaveRounds(cells, repeats);
  return { count, repeats, rows: cells.map(({ name }) => summarizeRuns(name, outcome.get(name))), missing };
}

// The runner side of the idle-children scenario: one worker process per library and repeat
// (interleaved: A, B, A, B, …), figures summarized over the repeats. The C bound (a C parent
// that signals as many groups and waits for them) runs in the same rounds.
import { C_GROUPS, cTerminateGroupsMs } from './c-bound.mjs';
import { loadLibraries } from './libraries.mjs';
import { interleaveRounds } from './measure.mjs';
import { runScenarioProcess } from './run-scenario.mjs';
import { summarize } from './stats.mjs';
import { RUN_ENV } from './sweep.mjs';

/** How long the children run before the groups are signalled, in the C bound. */
const C_SETTLE_MS = 300;

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
  const env = { ...process.env, [RUN_ENV]: ctx.runId };
  const cBound = { name: C_GROUPS, run: async () => cTerminateGroupsMs(ctx.helpers['spawn-loop'], sleepExe, count, C_SETTLE_MS, env) };
  const outcome = await interleaveRounds([...cells, cBound], repeats);
  const c = outcome.get(C_GROUPS);
  return {
    count, repeats,
    rows: cells.map(({ name }) => summarizeRuns(name, outcome.get(name))),
    cBound: c.error ? { name: C_GROUPS, error: c.error } : { name: C_GROUPS, terminateAllMs: summarize(c.results) },
    missing,
  };
}

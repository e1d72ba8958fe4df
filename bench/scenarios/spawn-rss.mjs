// Scenario: spawn+wait of /bin/true, one at a time, with this process's RSS grown to one level.
// The libraries and the C bound are measured in interleaved rounds (lib/measure.mjs).
// Config: {label, targetBytes, file, spawnLoop, plan: {rounds, budgetMs, minIter, maxIter, warmup, warmupMs}}.
// Result: {label, rssBytes, rows: [{name, totalMs, syncMs, loopDelayMaxMs, stallMaxMs, roundMedians}
// | {name, error}], cBound: {name, totalMs, syncMs}, cBoundSameRss (from 1 GB: the bound in one
// long-lived C process grown once to the same RSS, with its rssBytes), floor: {name, stallMaxMs,
// ...}, missing}.
// The floor cell spawns nothing: it waits a 0 ms timer per iteration, so its longest stall is
// what the runtime itself (GC, JIT, the machine) costs the event loop over the same stretch.
import { C_SPAWN, C_SPAWN_SAME_RSS, collectCSerial, startCBound } from '../lib/c-bound.mjs';
import { loadLibraries } from '../lib/libraries.mjs';
import { LOOP_FLOOR, collectSerial, measureInRounds } from '../lib/measure.mjs';
import { inflateRssTo, rssBytes } from '../lib/rss.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';

await runScenario(async ({ label, targetBytes, file, spawnLoop, plan }) => {
  const { loaded, missing } = await loadLibraries('spawnWait');
  const rssAtStart = inflateRssTo(targetBytes);
  progress('spawn', `RSS ${label}: ${(rssAtStart / 2 ** 20).toFixed(0)} MiB`);
  // From 1 GB up, the bound again from a C process holding as much touched memory as this one.
  const sameRss = targetBytes >= 2 ** 30 ? await startCBound(spawnLoop, rssAtStart / 2 ** 20) : null;
  if (sameRss) progress('spawn', `RSS ${label}: C bound grown to ${(sameRss.rssBytes / 2 ** 20).toFixed(0)} MiB`);
  const cells = [
    ...loaded.map(({ name, adapter }) => ({ name, collect: (p) => collectSerial(() => adapter.spawnWait(file, []), p) })),
    { name: C_SPAWN, collect: async (p) => collectCSerial(spawnLoop, file, p) },
    ...(sameRss ? [{ name: C_SPAWN_SAME_RSS, collect: (p) => sameRss.collect(file, p) }] : []),
    { name: LOOP_FLOOR, collect: (p) => collectSerial(() => new Promise((resolve) => setTimeout(resolve, 0)), p) },
  ];
  const rows = await measureInRounds(cells, plan, (row) => progress('spawn', row.error
    ? `${label} ${row.name}: failed: ${row.error}`
    : `${label} ${row.name}: median ${row.totalMs.median.toFixed(3)} ms (n=${row.totalMs.n})`));
  sameRss?.close();
  return {
    label, targetBytes, rssBytes: rssAtStart, rssBytesAtEnd: rssBytes(), plan,
    rows: rows.filter((row) => row.name !== C_SPAWN && row.name !== C_SPAWN_SAME_RSS && row.name !== LOOP_FLOOR),
    cBound: rows.find((row) => row.name === C_SPAWN),
    cBoundSameRss: sameRss ? { ...rows.find((row) => row.name === C_SPAWN_SAME_RSS), rssBytes: sameRss.rssBytes } : undefined,
    floor: rows.find((row) => row.name === LOOP_FLOOR),
    missing,
  };
});

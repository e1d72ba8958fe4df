// Scenario: `count` idle children (`sleep 1000`), each leading its own group. Measures the time
// to start them all, the parent's RSS growth per child, and the time from signalling every group
// (SIGTERM) to the last exit event. Runs under --expose-gc so RSS is read after a full GC.
// Every child is killed in `finally`, whatever happened (and the runner sweeps after us).
// Config: {sleepExe, count, repeats}. Result: {count, repeats, rows: [{name, spawnAllMs,
// rssPerChildKb, terminateAllMs}], missing}, each figure a summary over the repeats.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadLibraries } from '../lib/libraries.mjs';
import { msSince, summarize } from '../lib/stats.mjs';
import { rssBytes } from '../lib/rss.mjs';
import { measureEach, progress, runScenario } from '../lib/scenario-main.mjs';

async function settledRss() {
  await sleep(50);
  globalThis.gc?.();
  await sleep(50);
  return rssBytes();
}

/** SIGKILL the group and the process of every child whose exit was not observed. */
function killUnfinished(children) {
  for (const child of children) {
    if (child.done) continue;
    for (const target of [-child.pid, child.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

async function measureLibrary(adapter, sleepExe, count) {
  const children = [];
  try {
    const rssBefore = await settledRss();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      const handle = adapter.idle(sleepExe, ['1000']);
      const child = { pid: handle.pid, done: false, handle };
      child.exited = handle.exited.finally(() => { child.done = true; });
      children.push(child);
    }
    const spawnAllMs = msSince(t0);
    const rssAfter = await settledRss();
    const t1 = process.hrtime.bigint();
    for (const child of children) child.handle.killGroup('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    const terminateAllMs = msSince(t1);
    return { spawnAllMs, rssPerChildKb: (rssAfter - rssBefore) / count / 1024, terminateAllMs };
  } finally {
    killUnfinished(children);
  }
}

/** Summaries over repeats of each figure of measureLibrary. */
function summarizeRuns(runs) {
  const figure = (key) => summarize(runs.map((run) => run[key]));
  return { spawnAllMs: figure('spawnAllMs'), rssPerChildKb: figure('rssPerChildKb'), terminateAllMs: figure('terminateAllMs') };
}

await runScenario(async ({ sleepExe, count, repeats }) => {
  const { loaded, missing } = await loadLibraries('idle');
  const runs = new Map(loaded.map(({ name }) => [name, []]));
  const errors = new Map();
  // Repeats are interleaved across libraries (A, B, A, B, …) so machine load falls on both alike.
  for (let r = 0; r < repeats; r++) {
    const measured = await measureEach('idle', loaded, async ({ name, adapter }) => {
      const run = await measureLibrary(adapter, sleepExe, count);
      progress('idle', `${name}: ${count} started in ${run.spawnAllMs.toFixed(0)} ms, `
        + `${run.rssPerChildKb.toFixed(1)} KB RSS each, all groups gone ${run.terminateAllMs.toFixed(1)} ms after TERM`);
      runs.get(name).push(run);
    });
    for (const row of measured) if (row.error) errors.set(row.name, row.error);
  }
  // A library that failed in any repeat is reported as failed.
  const rows = loaded.map(({ name }) => (errors.has(name)
    ? { name, error: errors.get(name) } : { name, ...summarizeRuns(runs.get(name)) }));
  return { count, repeats, rows, missing };
});

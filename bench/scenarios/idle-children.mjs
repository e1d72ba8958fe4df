// Scenario: `count` idle children (`sleep 1000`), each leading its own group, started by one
// library. Measures the time to start them all, the parent's RSS growth per child, and the time
// from signalling every group (SIGTERM) to the last exit event. One library and one repeat per
// process, so memory freed by an earlier run cannot be reused and hide the growth; runs under
// --expose-gc so RSS is read after a full GC. Every child is killed in `finally`, whatever
// happened (and the runner sweeps after us).
// Config: {sleepExe, count, library}. Result: {count, rows: [{name, spawnAllMs, rssPerChildKb,
// terminateAllMs} | {name, error}], missing}.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadLibraries } from '../lib/libraries.mjs';
import { msSince } from '../lib/stats.mjs';
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

/** Start `count` idle children into `children` (recorded one by one, for the cleanup). */
function startIdle(adapter, sleepExe, count, children) {
  for (let i = 0; i < count; i++) {
    const handle = adapter.idle(sleepExe, ['1000']);
    const child = { pid: handle.pid, done: false, handle };
    child.exited = handle.exited.finally(() => { child.done = true; });
    children.push(child);
  }
}

/** SIGTERM every child's group; resolves at the last exit event. */
async function terminateAll(children) {
  for (const child of children) child.handle.killGroup('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
}

const WARM_UP = 20;

async function measureLibrary(adapter, sleepExe, count) {
  const children = [];
  try {
    // A first small batch, not measured: code compiled and one-time state allocated on the first
    // spawns would otherwise count as per-child memory.
    startIdle(adapter, sleepExe, WARM_UP, children);
    await terminateAll(children);
    children.length = 0;
    const rssBefore = await settledRss();
    const t0 = process.hrtime.bigint();
    startIdle(adapter, sleepExe, count, children);
    const spawnAllMs = msSince(t0);
    const rssAfter = await settledRss();
    const t1 = process.hrtime.bigint();
    await terminateAll(children);
    const terminateAllMs = msSince(t1);
    return { spawnAllMs, rssPerChildKb: (rssAfter - rssBefore) / count / 1024, terminateAllMs };
  } finally {
    killUnfinished(children);
  }
}

await runScenario(async ({ sleepExe, count, library }) => {
  const { loaded, missing } = await loadLibraries('idle', [library]);
  const rows = await measureEach('idle', loaded, async ({ name, adapter }) => {
    const run = await measureLibrary(adapter, sleepExe, count);
    progress('idle', `${name}: ${count} started in ${run.spawnAllMs.toFixed(0)} ms, `
      + `${run.rssPerChildKb.toFixed(1)} KB RSS each, all groups gone ${run.terminateAllMs.toFixed(1)} ms after TERM`);
    return run;
  });
  return { count, rows, missing };
});

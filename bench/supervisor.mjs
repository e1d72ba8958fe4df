#!/usr/bin/env node
// Supervisor start/stop cost: N supervised children (`sh -c 'sleep 1000 & wait'`, each in its
// own group) started, then stopped (TERM, group empty), sequentially in reverse order and with
// parallelStop. Prints one JSON line per mode: {"children", "contain", "parallelStop", "startMs",
// "stopMs", "clean"}. The sequential line also carries "scanMs": one pass over /proc for one group
// (what a stop costs to learn that a group with a held zombie leader is empty) with every child running, and
// "processes" (how many /proc lists then). A third line (--contain group only) is the floor a
// sequential stop cannot beat: the same children spawned bare, each group sent TERM in reverse
// order and waited for only until its leader's exit event ("parallelStop": null, no group check).
//
//   node bench/supervisor.mjs [--children 200] [--contain group|reaper|cgroup] [--json]
//
// Needs the compiled package (npm run build). Every child is killed on the way out.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { spawn } from '../dist/lib/index.js';
import { native } from '../dist/lib/native.js';
import { Supervisor } from '../dist/lib/supervisor/supervisor.js';
import { percentile } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    children: { type: 'string', default: '200' },
    contain: { type: 'string', default: 'group' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(values.children);
if (!Number.isInteger(count) || count < 1) throw new RangeError(`--children must be a positive integer; got ${values.children}`);

const pgids = new Set();
function killLeftovers() {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
}
process.on('exit', killLeftovers);

const ms = (x) => +x.toFixed(1);
const CHILD = ['sh', ['-c', 'sleep 1000 & wait']];

function processCount() {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

/** Median time of one /proc pass asking about one child's group (as a sequential stop's wait does). */
function scanCost() {
  const among = [[...pgids].at(-1)];
  const times = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    native().groupWitnesses(among);
    times.push(performance.now() - t0);
  }
  return { scanMs: +percentile(times, 50).toFixed(2), processes: processCount() };
}

async function measure(parallelStop) {
  const children = Array.from({ length: count }, (_, i) => ({
    name: `c${i}`, file: CHILD[0], args: CHILD[1], contain: values.contain, stopTimeout: 10_000,
  }));
  const supervisor = new Supervisor({ children, parallelStop });
  supervisor.on('start', (e) => pgids.add(e.pgid));
  const t0 = performance.now();
  await supervisor.start();
  const t1 = performance.now();
  const scan = !parallelStop && values.contain === 'group' ? scanCost() : {};
  const t2 = performance.now();
  await supervisor.stop();
  const t3 = performance.now();
  const clean = supervisor.status().every((s) => s.state === 'stopped');
  pgids.clear();
  return { children: count, contain: values.contain, parallelStop, startMs: ms(t1 - t0), stopMs: ms(t3 - t2), clean, ...scan };
}

/** The same children spawned bare; TERM each group in reverse order, wait for the leader's exit event only. */
async function measureFloor() {
  const procs = Array.from({ length: count }, () => spawn(CHILD[0], CHILD[1], { group: 'new', stdio: ['ignore', 'inherit', 'inherit'] }));
  for (const proc of procs) pgids.add(proc.pgid);
  const t0 = performance.now();
  for (const proc of [...procs].reverse()) {
    native().killpg(proc.pgid, 15);
    await proc.exited;
  }
  const t1 = performance.now();
  killLeftovers();
  pgids.clear();
  return { children: count, contain: 'group', parallelStop: null, stopMs: ms(t1 - t0), note: 'floor: TERM, then the leader\'s exit event only' };
}

for (const parallelStop of [false, true]) {
  const result = await measure(parallelStop);
  if (values.json) console.log(JSON.stringify(result));
  else {
    const scan = result.scanMs === undefined ? '' : ` (one /proc pass: ${result.scanMs} ms with ${result.processes} processes)`;
    console.log(`${result.children} children (${result.contain}, ${parallelStop ? 'parallel' : 'reverse-order'} stop): start ${result.startMs} ms, stop ${result.stopMs} ms${result.clean ? '' : ' (NOT CLEAN)'}${scan}`);
  }
}
if (values.contain === 'group') {
  const floor = await measureFloor();
  if (values.json) console.log(JSON.stringify(floor));
  else console.log(`${floor.children} bare groups, ${floor.note}: ${floor.stopMs} ms`);
}

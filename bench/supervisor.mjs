#!/usr/bin/env node
// Supervisor start/stop cost: N supervised children (`sh -c 'sleep 1000 & wait'`, each in its
// own group) started, then stopped (TERM, group empty), sequentially in reverse order and with
// parallelStop. Prints one JSON line per mode: {"children", "contain", "parallelStop", "startMs",
// "stopMs"}.
//
//   node bench/supervisor.mjs [--children 200] [--contain group|reaper|cgroup] [--json]
//
// Needs the compiled package (npm run build). Every child is killed on the way out.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Supervisor } from '../dist/lib/supervisor/supervisor.js';

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

async function measure(parallelStop) {
  const children = Array.from({ length: count }, (_, i) => ({
    name: `c${i}`, file: 'sh', args: ['-c', 'sleep 1000 & wait'], contain: values.contain, stopTimeout: 10_000,
  }));
  const supervisor = new Supervisor({ children, parallelStop });
  supervisor.on('start', (e) => pgids.add(e.pgid));
  const t0 = performance.now();
  await supervisor.start();
  const t1 = performance.now();
  await supervisor.stop();
  const t2 = performance.now();
  const clean = supervisor.status().every((s) => s.state === 'stopped');
  return { children: count, contain: values.contain, parallelStop, startMs: +(t1 - t0).toFixed(1), stopMs: +(t2 - t1).toFixed(1), clean };
}

for (const parallelStop of [false, true]) {
  const result = await measure(parallelStop);
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`${result.children} children (${result.contain}, ${parallelStop ? 'parallel' : 'reverse-order'} stop): start ${result.startMs} ms, stop ${result.stopMs} ms${result.clean ? '' : ' (NOT CLEAN)'}`);
}

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
// Who reaps the orphans matters: a child's `sleep` outlives its `sh` for a moment, is orphaned, and
// counts as a member of the group until its new parent reaps it (then a stop must confirm with a
// pass over /proc that no live member is left). Each line says who that is ("orphansReapedBy"):
// whatever this process runs under (this VM's PID 1 reaps every ~2 s), and, for the sequential
// stop, the same run again as the child of procctl-init in subreaper mode, which reaps at once as
// a container's init or systemd does.
//
//   node bench/supervisor.mjs [--children 200] [--contain group|reaper|cgroup] [--json]
//
// Needs the compiled package (npm run build). Every child is killed on the way out.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { exec, spawn } from '../dist/lib/index.js';
import { locateInit } from '../dist/lib/init-binary.js';
import { native } from '../dist/lib/native.js';
import { Supervisor } from '../dist/lib/supervisor/supervisor.js';
import { percentile } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    children: { type: 'string', default: '200' },
    contain: { type: 'string', default: 'group' },
    json: { type: 'boolean', default: false },
    // Internal: the sequential stop only, run by the parent bench under procctl-init.
    'sequential-only': { type: 'boolean', default: false },
  },
});
/** Set in the copy of this script that runs under procctl-init (see the top). */
const UNDER_INIT = 'PROCCTL_BENCH_UNDER_INIT';
const reapedBy = process.env[UNDER_INIT] ? 'procctl-init (subreaper)' : 'inherited (PID 1 here)';
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
  return { children: count, contain: values.contain, parallelStop, orphansReapedBy: reapedBy, startMs: ms(t1 - t0), stopMs: ms(t3 - t2), clean, ...scan };
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

function print(result) {
  if (values.json) console.log(JSON.stringify(result));
  else {
    const scan = result.scanMs === undefined ? '' : ` (one /proc pass: ${result.scanMs} ms with ${result.processes} processes)`;
    const mode = result.parallelStop ? 'parallel' : 'reverse-order';
    const rounds = result.rounds === undefined ? '' : ` (median of ${result.rounds})`;
    console.log(`${result.children} children (${result.contain}, ${mode} stop, orphans reaped by ${result.orphansReapedBy}): start ${result.startMs} ms, stop ${result.stopMs} ms${rounds}${result.clean ? '' : ' (NOT CLEAN)'}${scan}`);
  }
}

/** Rounds of the sequential stop under procctl-init; the line reports their median. */
const INIT_ROUNDS = 3;

/**
 * The sequential stop again, in copies of this script that run as procctl-init's child. Each
 * round first gives this machine's PID 1 time to collect the orphans of the runs before it, so
 * that every round passes over about as many processes as the first line's run.
 */
async function measureUnderInit() {
  const init = locateInit();
  if (init === null) return null;
  const args = ['--', process.execPath, fileURLToPath(import.meta.url), '--json', '--sequential-only', '--children', String(count), '--contain', values.contain];
  const rounds = [];
  for (let i = 0; i < INIT_ROUNDS; i++) {
    await sleep(2500);
    const { stdout } = await exec(init, args, { env: { ...process.env, [UNDER_INIT]: '1' }, timeout: 120_000 });
    rounds.push(JSON.parse(stdout.trim().split('\n').at(-1)));
  }
  rounds.sort((a, b) => a.stopMs - b.stopMs);
  const median = rounds[Math.floor(rounds.length / 2)];
  return { ...median, rounds: rounds.map((r) => r.stopMs).join(' / '), clean: rounds.every((r) => r.clean) };
}

if (values['sequential-only']) {
  print(await measure(false));
  process.exit(0);
}
for (const parallelStop of [false, true]) print(await measure(parallelStop));
const underInit = await measureUnderInit();
if (underInit !== null) print(underInit);
if (values.contain === 'group') {
  const floor = await measureFloor();
  if (values.json) console.log(JSON.stringify(floor));
  else console.log(`${floor.children} bare groups, ${floor.note}: ${floor.stopMs} ms`);
}

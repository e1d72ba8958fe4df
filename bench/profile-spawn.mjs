#!/usr/bin/env node
// Where the time of one public spawn()+exited goes, phase by phase: the evidence behind the
// Findings of BENCHMARKS.md. The addon's spawn is wrapped (in this process only) to stamp the
// moment the native call starts and returns and the moment the exit callback fires.
//
//   node bench/profile-spawn.mjs [--iterations 3000]
//
// Phases (median µs): options + stdio before the native call; the native call (clone, child
// setup, execve: the parent is suspended under CLONE_VFORK); Subprocess construction after it;
// child run until the exit callback; callback until `exited` resolves. Parent CPU per spawn is
// process.cpuUsage() over the whole loop, and for the same loop over the bare native call.
import { openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { spawn } from '../dist/lib/index.js';
import { native } from '../dist/lib/native.js';
import { summarize } from './lib/stats.mjs';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '3000' } } });
const iterations = Number(values.iterations);
const WARM_UP = 200;
const stdio = ['ignore', 'ignore', 'ignore'];
const binding = native();
const nativeSpawn = binding.spawn;
const stamps = {};

binding.spawn = function stampedSpawn(request, onExit, hold) {
  stamps.nativeStart = process.hrtime.bigint();
  const result = nativeSpawn.call(this, request, (exit) => {
    stamps.callback = process.hrtime.bigint();
    onExit(exit);
  }, hold);
  stamps.nativeEnd = process.hrtime.bigint();
  return result;
};

const us = (from, to) => Number(to - from) / 1e3;

async function phasesOfPublicSpawn() {
  const phases = { 'options + stdio': [], 'native call': [], 'Subprocess': [], 'child run → callback': [],
    'callback → exited': [], total: [] };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations + WARM_UP; i++) {
    const t0 = process.hrtime.bigint();
    const child = spawn('/bin/true', [], { stdio });
    const t1 = process.hrtime.bigint();
    await child.exited;
    const t2 = process.hrtime.bigint();
    if (i < WARM_UP) continue;
    phases['options + stdio'].push(us(t0, stamps.nativeStart));
    phases['native call'].push(us(stamps.nativeStart, stamps.nativeEnd));
    phases.Subprocess.push(us(stamps.nativeEnd, t1));
    phases['child run → callback'].push(us(t1, stamps.callback));
    phases['callback → exited'].push(us(stamps.callback, t2));
    phases.total.push(us(t0, t2));
  }
  const cpu = process.cpuUsage(cpu0);
  return { phases, cpuUs: (cpu.user + cpu.system) / (iterations + WARM_UP) };
}

/** The same loop over the bare addon call with a request built once: the floor under spawn(). */
async function cpuOfNativeSpawn() {
  const devNull = openSync('/dev/null', 'r+');
  const request = {
    file: '/bin/true', candidates: ['/bin/true'], argv: ['/bin/true'],
    envp: Object.entries(process.env).map(([k, v]) => `${k}=${v}`), cwd: null,
    fds: [devNull, devNull, devNull], closeFds: true, resetSignals: true, defaultSignals: [], ignoreSignals: [],
    mask: [], pgid: 0, setsid: false, uid: -1, gid: -1, groups: null, umask: -1, rlimits: [], deathSignal: 0,
    noNewPrivs: false, cgroup: null,
  };
  const totals = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => nativeSpawn.call(binding, request, resolve, false));
    totals.push(us(t0, process.hrtime.bigint()));
  }
  const cpu = process.cpuUsage(cpu0);
  return { totalUs: summarize(totals).median, cpuUs: (cpu.user + cpu.system) / iterations };
}

const pub = await phasesOfPublicSpawn();
const bare = await cpuOfNativeSpawn();
for (const [phase, samples] of Object.entries(pub.phases)) {
  console.log(`${phase.padEnd(22)} ${summarize(samples).median.toFixed(1).padStart(7)} µs (median)`);
}
console.log(`${'parent CPU, spawn()'.padEnd(22)} ${pub.cpuUs.toFixed(1).padStart(7)} µs per spawn`);
console.log(`${'native call alone'.padEnd(22)} ${bare.totalUs.toFixed(1).padStart(7)} µs (median), parent CPU ${bare.cpuUs.toFixed(1)} µs per spawn`);

#!/usr/bin/env node
// How long procctl's CLI takes to start, from the caller's point of view, next to `env true` (the
// floor for an exec wrapper), tini (a C init, for scale) and `node -e ''` (the floor for anything
// written in Node). Rounds alternate the commands (one run of each per round, WARMUP untimed
// rounds first), so machine load falls on every row alike. Each run is started with procctl's
// spawn() and timed from the call to the exit event; the CPU column is the child's user + system
// time from its rusage (less sensitive to other load than wall time).
//
// Target: `procctl exec -- true`, `procctl inspect PID` and `procctl --version` each within
// `node -e ''` + 5 ms (median wall time, same run).
//
//   node bench/cli.mjs [--runs 30] [--json]
// --json prints the table as JSON lines, then one line per target (bench/run.mjs reads them).
// Speed is measured here, never asserted in tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from '../dist/lib/index.js';
import { percentile } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'lib', 'cli', 'main.cjs');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be a positive integer; got ${values.runs}`);
const WARMUP = 3;
/** The target: procctl's start within node -e '' + this many milliseconds. */
const BUDGET_MS = 5;
const NODE_ROW = "node -e ''";

/** A long-lived process for `procctl inspect` to look at: small, with the usual three fds. */
const subject = spawn('sleep', ['1000'], { stdio: 'ignore' });
process.on('exit', () => subject.kill('SIGKILL'));

function hasTini() {
  return spawnSync('tini', ['--version'], { stdio: 'ignore' }).status === 0;
}

const COMMANDS = [
  { label: 'env true', file: 'env', args: ['true'] },
  ...(hasTini() ? [{ label: 'tini -s -- true', file: 'tini', args: ['-s', '--', 'true'] }] : []),
  { label: NODE_ROW, file: process.execPath, args: ['-e', ''] },
  { label: 'procctl exec -- true', file: process.execPath, args: [cli, 'exec', '--', 'true'], target: true },
  { label: 'procctl exec --reset-signals -- true', file: process.execPath, args: [cli, 'exec', '--reset-signals', '--', 'true'] },
  { label: 'procctl exec --timeout 10 -- true', file: process.execPath, args: [cli, 'exec', '--timeout', '10', '--', 'true'] },
  { label: 'procctl inspect PID', file: process.execPath, args: [cli, 'inspect', String(subject.pid)], target: true },
  { label: 'procctl --version', file: process.execPath, args: [cli, '--version'], target: true },
];

async function timeOnce({ file, args }) {
  const child = spawn(file, args, { stdio: 'ignore' });
  const result = await child.exited;
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code ?? result.signal}`);
  return { wallMs: result.durationMs, cpuMs: result.rusage.userCpuMs + result.rusage.systemCpuMs };
}

const samples = COMMANDS.map(() => ({ wallMs: [], cpuMs: [] }));
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const [i, command] of COMMANDS.entries()) {
    const { wallMs, cpuMs } = await timeOnce(command);
    if (round < WARMUP) continue;
    samples[i].wallMs.push(wallMs);
    samples[i].cpuMs.push(cpuMs);
  }
}

const rows = COMMANDS.map((command, i) => ({
  command: command.label,
  medianMs: percentile(samples[i].wallMs, 50),
  p10Ms: percentile(samples[i].wallMs, 10),
  p90Ms: percentile(samples[i].wallMs, 90),
  cpuMs: percentile(samples[i].cpuMs, 50),
}));
const node = rows.find((r) => r.command === NODE_ROW);
const targets = rows.filter((r, i) => COMMANDS[i].target).map((r) => ({
  target: `${r.command} ≤ ${NODE_ROW} + ${BUDGET_MS} ms`,
  measured: `+${(r.medianMs - node.medianMs).toFixed(1)} ms (${r.medianMs.toFixed(1)} against ${node.medianMs.toFixed(1)}; CPU +${(r.cpuMs - node.cpuMs).toFixed(1)} ms)`,
  met: r.medianMs <= node.medianMs + BUDGET_MS,
}));

const round1 = (x) => Number(x.toFixed(1));
if (values.json) {
  for (const r of rows) {
    console.log(JSON.stringify({ command: r.command, medianMs: round1(r.medianMs), p10Ms: round1(r.p10Ms), p90Ms: round1(r.p90Ms),
      cpuMs: round1(r.cpuMs), vsNode: `${r.medianMs - node.medianMs >= 0 ? '+' : ''}${(r.medianMs - node.medianMs).toFixed(1)}` }));
  }
  for (const t of targets) console.log(JSON.stringify(t));
} else {
  const width = Math.max(...rows.map((r) => r.command.length));
  console.log(`${'command'.padEnd(width)}  median ms   p10 ms   p90 ms   CPU ms   (${RUNS} alternating rounds)`);
  for (const r of rows) {
    console.log(`${r.command.padEnd(width)}  ${r.medianMs.toFixed(1).padStart(9)}  ${r.p10Ms.toFixed(1).padStart(7)}  ${r.p90Ms.toFixed(1).padStart(7)}  ${r.cpuMs.toFixed(1).padStart(7)}`);
  }
  for (const t of targets) console.log(`${t.met ? 'met    ' : 'NOT MET'}  ${t.target}: ${t.measured}`);
}
subject.kill('SIGKILL');
await subject.exited;

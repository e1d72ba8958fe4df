#!/usr/bin/env node
// How long `procctl exec -- true` takes from the caller's point of view, next to `env true` (the
// floor for an exec wrapper) and `node -e ''` (the floor for anything written in Node). Each command
// runs RUNS times (after WARMUP untimed runs); the table shows median, p10 and p90 in milliseconds.
//
//   node bench/cli.mjs [--runs 30]
// Speed is measured here, never asserted in tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'lib', 'cli', 'main.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(values.runs);
const WARMUP = 3;

const COMMANDS = [
  ['env true', 'env', ['true']],
  ["node -e ''", process.execPath, ['-e', '']],
  ['procctl exec -- true', process.execPath, [cli, 'exec', '--', 'true']],
  ['procctl exec --reset-signals -- true', process.execPath, [cli, 'exec', '--reset-signals', '--', 'true']],
  ['procctl exec --timeout 10 -- true', process.execPath, [cli, 'exec', '--timeout', '10', '--', 'true']],
  ['procctl --version', process.execPath, [cli, '--version']],
];

function timeOnce(file, args) {
  const start = performance.now();
  const r = spawnSync(file, args, { stdio: 'ignore' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return ms;
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const rows = [];
for (const [label, file, args] of COMMANDS) {
  for (let i = 0; i < WARMUP; i++) timeOnce(file, args);
  const times = Array.from({ length: RUNS }, () => timeOnce(file, args)).sort((a, b) => a - b);
  rows.push([label, quantile(times, 0.5), quantile(times, 0.1), quantile(times, 0.9)]);
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'command'.padEnd(width)}  median ms   p10 ms   p90 ms   (${RUNS} runs each)`);
for (const [label, median, p10, p90] of rows) {
  console.log(`${label.padEnd(width)}  ${median.toFixed(1).padStart(9)}  ${p10.toFixed(1).padStart(7)}  ${p90.toFixed(1).padStart(7)}`);
}

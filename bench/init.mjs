#!/usr/bin/env node
// procctl init next to tini: how long `procctl init -- true` takes from start to exit (beside
// `node -e ''`, the floor for anything that starts Node, tini and the static procctl-init run
// directly), and how much memory the init keeps while its command runs (VmRSS of the PID that was
// started, from /proc/PID/status, once the command is running; tini measured in the same run).
// It also times the first moments of `procctl init`: from the spawn until its listeners catch
// every signal Node can hear (SigCgt shows PWR, the last one it listens for), and until the
// process is procctl-init (every signal blocked, read by its signalfd).
// Rounds alternate the commands (WARMUP untimed rounds first), so machine load falls on each alike.
//
// Target: procctl init's resident memory while the command runs ≤ 2048 kB.
//
//   node bench/init.mjs [--runs 20] [--json]
// Speed and memory are measured here, never asserted in tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from '../dist/lib/index.js';
import { locateInit } from '../dist/lib/init-binary.js';
import { percentile } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'lib', 'cli', 'main.cjs');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be a positive integer; got ${values.runs}`);
const WARMUP = 3;
const RSS_SAMPLES = 5;
const RSS_BUDGET_KB = 2048;
const NODE_ROW = "node -e ''";

const staticInit = locateInit();
if (staticInit === null) throw new Error('procctl-init is not built: run npm run build');
const tini = spawnSync('tini', ['--version'], { stdio: 'ignore' }).status === 0;

const COMMANDS = [
  { label: NODE_ROW, file: process.execPath, args: ['-e', ''] },
  ...(tini ? [{ label: 'tini -s -- true', file: 'tini', args: ['-s', '--', 'true'] }] : []),
  { label: 'procctl-init -- true', file: staticInit, args: ['--', 'true'] },
  { label: 'procctl init -- true', file: process.execPath, args: [cli, 'init', '--', 'true'] },
];

async function timeOnce({ file, args }) {
  const child = spawn(file, args, { stdio: 'ignore' });
  const result = await child.exited;
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code ?? result.signal}`);
  return result.durationMs;
}

const wall = COMMANDS.map(() => []);
for (let round = 0; round < WARMUP + RUNS; round++) {
  for (const [i, command] of COMMANDS.entries()) {
    const ms = await timeOnce(command);
    if (round >= WARMUP) wall[i].push(ms);
  }
}

function status(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const PWR_BIT = 1n << 29n;

/**
 * VmRSS (kB) of the started PID once it is `name` and its command (sleep) runs, with the ms from
 * the spawn until it caught PWR (listening) and until it was `name` (execed).
 */
async function rssWhileRunning(label, file, args, name) {
  const started = performance.now();
  const child = spawn(file, [...args, '--', 'sleep', '30'], { stdio: 'ignore' });
  let listeningMs = null;
  let execedMs = null;
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const own = status(child.pid);
      const caught = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(own)?.[1] ?? '0'}`);
      if (listeningMs === null && (caught & PWR_BIT) !== 0n) listeningMs = performance.now() - started;
      if (execedMs === null && new RegExp(`^Name:\\s*${name}$`, 'm').test(own)) execedMs = performance.now() - started;
      const running = childrenOf(child.pid).some((pid) => /^Name:\s*sleep$/m.test(status(pid)));
      if (new RegExp(`^Name:\\s*${name}$`, 'm').test(own) && running) break;
      if (Date.now() > deadline) throw new Error(`${label}: the command did not start`);
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 200));
    return { rss: Number(/^VmRSS:\s*(\d+)/m.exec(status(child.pid))?.[1]), listeningMs, execedMs };
  } finally {
    child.kill('SIGTERM');
    await child.exited;
  }
}

const RSS = [
  { label: 'procctl init', file: process.execPath, args: [cli, 'init'], name: 'procctl-init' },
  ...(tini ? [{ label: 'tini -s', file: 'tini', args: ['-s'], name: 'tini' }] : []),
];
const rssKb = RSS.map(() => []);
const listening = [];
const execed = [];
for (let round = 0; round < RSS_SAMPLES; round++) {
  for (const [i, r] of RSS.entries()) {
    const sample = await rssWhileRunning(r.label, r.file, r.args, r.name);
    rssKb[i].push(sample.rss);
    if (i === 0 && sample.listeningMs !== null) listening.push(sample.listeningMs);
    if (i === 0) execed.push(sample.execedMs);
  }
}

const node = percentile(wall[0], 50);
const round1 = (x) => Number(x.toFixed(1));
const rows = COMMANDS.map((c, i) => ({
  command: c.label,
  medianMs: round1(percentile(wall[i], 50)),
  p10Ms: round1(percentile(wall[i], 10)),
  p90Ms: round1(percentile(wall[i], 90)),
  vsNode: `${percentile(wall[i], 50) - node >= 0 ? '+' : ''}${(percentile(wall[i], 50) - node).toFixed(1)}`,
}));
const memory = RSS.map((r, i) => ({ command: `${r.label} -- sleep (while it runs)`, rssKb: percentile(rssKb[i], 50) }));
const moments = [
  { command: 'procctl init: spawn → listening for every signal Node can hear', medianMs: listening.length ? round1(percentile(listening, 50)) : 'not seen' },
  { command: 'procctl init: spawn → procctl-init (signals blocked, signalfd)', medianMs: round1(percentile(execed, 50)) },
];
const ours = memory[0].rssKb;
const tiniRss = tini ? memory[1].rssKb : null;
const target = {
  target: `procctl init RSS while the command runs ≤ ${RSS_BUDGET_KB} kB`,
  measured: `${ours} kB${tiniRss === null ? '' : ` (tini: ${tiniRss} kB, ${(ours / tiniRss).toFixed(2)}×)`}`,
  met: ours <= RSS_BUDGET_KB,
};

if (values.json) {
  for (const r of [...rows, ...moments, ...memory, target]) console.log(JSON.stringify(r));
} else {
  const width = Math.max(...[...rows, ...moments, ...memory].map((r) => r.command.length));
  console.log(`${'command'.padEnd(width)}  median ms   p10 ms   p90 ms   vs node   (${RUNS} alternating rounds)`);
  for (const r of rows) console.log(`${r.command.padEnd(width)}  ${String(r.medianMs).padStart(9)}  ${String(r.p10Ms).padStart(7)}  ${String(r.p90Ms).padStart(7)}  ${r.vsNode.padStart(8)}`);
  for (const m of moments) console.log(`${m.command.padEnd(width)}  ${String(m.medianMs).padStart(9)}`);
  for (const m of memory) console.log(`${m.command.padEnd(width)}  VmRSS ${m.rssKb} kB (median of ${RSS_SAMPLES})`);
  console.log(`${target.met ? 'met    ' : 'NOT MET'}  ${target.target}: ${target.measured}`);
}

#!/usr/bin/env node
// lines() over 100 MB: read a child's output line by line and sample this process's RSS. The
// iterator pauses the pipe while lines wait, so the peak growth of RSS must stay bounded — far
// below the size of the output — rather than follow it. Peers in the same run: execa's line
// iteration and node:readline over child_process, on the same output. Each library runs in a
// fresh Node process of its own (after an 8 MB warm-up), so no figure inherits another's heap.
//
//   node bench/lines.mjs [--json] [--mb N]
// Target: procctl's peak RSS growth < 64 MB for 100 MB of output (printed, not asserted).
import { spawn as nodeSpawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, mb: { type: 'string', default: '100' }, one: { type: 'string' },
} });
const LINE = 'procctl lines() benchmark: one line of text, about sixty-four bytes';
const producer = (mb) => ['sh', ['-c', `yes '${LINE}' | head -c ${mb * 2 ** 20}`]];
const TARGET_MB = 64;

/** Run consume() while sampling RSS every 20 ms; peak growth over the RSS before it started. */
async function measure(name, consume, mb) {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = process.hrtime.bigint();
  let lines = 0;
  try {
    lines = await consume(producer(mb));
  } catch (error) {
    clearInterval(timer);
    return { library: name, error: String(error) };
  }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { library: name, outputMB: mb, lines, seconds: Number(seconds.toFixed(2)),
    mbPerSec: Number((mb / seconds).toFixed(0)), peakRssGrowthMB: Number(((peak - baseline) / 2 ** 20).toFixed(1)) };
}

// Loaded before any measurement, so no figure includes a module load.
const { spawn } = await import('../dist/lib/index.js');
const { execa } = await import('execa');

async function viaProcctl([file, args]) {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let n = 0;
  for await (const line of child.lines()) if (line.length > 0) n++;
  await child.exited;
  return n;
}

async function viaExeca([file, args]) {
  let n = 0;
  for await (const line of execa(file, args, { buffer: false })) if (line.length > 0) n++;
  return n;
}

async function viaReadline([file, args]) {
  const child = nodeSpawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let n = 0;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) if (line.length > 0) n++;
  return n;
}

const LIBRARIES = { 'procctl lines()': viaProcctl, 'execa (for await)': viaExeca, 'node:readline': viaReadline };

/** One library in this process: warm up, then the measured run, as one JSON line. */
async function measureOne(name) {
  await LIBRARIES[name](producer(8));
  process.stdout.write(`${JSON.stringify(await measure(name, LIBRARIES[name], Number(values.mb)))}\n`);
}

/** One library in a fresh Node process. */
function inFreshProcess(name) {
  return new Promise((resolve) => {
    const child = nodeSpawn(process.execPath, [process.argv[1], '--one', name, '--mb', values.mb], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        resolve({ library: name, error: `exited ${code}` });
      }
    });
  });
}

if (values.one !== undefined) {
  await measureOne(values.one);
} else {
  const rows = [];
  for (const name of Object.keys(LIBRARIES)) rows.push(await inFreshProcess(name));
  const ours = rows[0];
  const met = ours.error === undefined && ours.peakRssGrowthMB < TARGET_MB;
  if (values.json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    process.stdout.write(`${JSON.stringify({ library: `target: procctl peak RSS growth < ${TARGET_MB} MB`, met: met ? 'yes' : 'NO' })}\n`);
  } else {
    for (const row of rows) {
      process.stdout.write(`${row.library.padEnd(20)} ${row.error ?? `${row.lines} lines, ${row.seconds} s, ${row.mbPerSec} MB/s, peak RSS +${row.peakRssGrowthMB} MB`}\n`);
    }
    process.stdout.write(`target: procctl peak RSS growth < ${TARGET_MB} MB (${ours.outputMB ?? values.mb} MB of output): ${met ? 'met' : 'MISSED'}\n`);
  }
}

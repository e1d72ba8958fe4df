#!/usr/bin/env node
// procctl's benchmark suite: `npm run bench` (full run, writes BENCHMARKS.md and bench/charts/)
// or `npm run bench -- --quick` (CI smoke, < 60 s, writes bench/results/quick.md only).
//
// Every scenario runs in its own Node process (bench/scenarios/*.mjs) so that an inflated RSS or
// a thousand children never leak into the next figure; the runner compiles the C helpers (each
// worker runs its C bound between its library cells, under the same machine load), collects the
// JSON results, evaluates the targets and writes the report.
// No process outlives the run: see lib/sweep.mjs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCharts } from './lib/charts.mjs';
import { compileHelpers } from './lib/compile.mjs';
import { measureExtras } from './lib/extras.mjs';
import { measureIdleChildren } from './lib/idle-runs.mjs';
import { MODES, PROGRAMS } from './lib/config.mjs';
import { machineFacts } from './lib/machine.mjs';
import { renderReport, withFindings } from './lib/report.mjs';
import { runScenarioProcess } from './lib/run-scenario.mjs';
import { sweepMarked } from './lib/sweep.mjs';
import { HEADLINE, evaluateTargets, verdict } from './lib/targets.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** Sweep marked processes and remove the temp dir however the runner ends. */
function installCleanup(ctx) {
  const cleanup = () => {
    sweepMarked(ctx.runId);
    ctx.dispose();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      log(`bench: ${signal}, cleaning up`);
      process.exit(130);
    });
  }
}

async function measureSpawnLevels(ctx, config) {
  const levels = [];
  for (const level of config.rssLevels) {
    log(`bench: spawn + wait at RSS ${level.label}`);
    const result = await runScenarioProcess(ctx, 'spawn-rss',
      { ...level, file: PROGRAMS.true, spawnLoop: ctx.helpers['spawn-loop'], plan: config.spawnPlan },
      { deadlineMs: config.deadlineMs.spawn });
    levels.push(result.error ? { label: level.label, error: result.error } : result);
  }
  return levels;
}

/** procctl's spawn cost on each clone path (PROCCTL_FORK_SPAWN), at the smallest and largest RSS level. */
async function measureSpawnPaths(ctx, config) {
  const levels = [...new Set([config.rssLevels[0], config.rssLevels.at(-1)])];
  const paths = [];
  for (const level of levels) {
    for (const fork of [false, true]) {
      log(`bench: procctl spawn + wait on the ${fork ? 'fork' : 'vfork'} path at RSS ${level.label}`);
      paths.push(await runScenarioProcess(ctx, 'spawn-path', { ...level, file: PROGRAMS.true, plan: config.spawnPlan },
        { deadlineMs: config.deadlineMs.spawn, env: { PROCCTL_FORK_SPAWN: fork ? '1' : '' } }));
    }
  }
  return paths;
}

async function measureAll(ctx, config, quick) {
  const results = { mode: quick ? 'quick' : 'full', machine: machineFacts() };
  const started = process.hrtime.bigint();
  const spawnLoop = ctx.helpers['spawn-loop'];
  results.spawn = await measureSpawnLevels(ctx, config);
  results.spawnPaths = await measureSpawnPaths(ctx, config);
  log(`bench: throughput, ${config.throughput.inFlight} in flight`);
  results.throughput = await runScenarioProcess(ctx, 'throughput',
    { file: PROGRAMS.true, spawnLoop, ...config.throughput },
    { deadlineMs: config.deadlineMs.throughput });
  log('bench: exit-notification latency');
  results.exitLatency = await runScenarioProcess(ctx, 'exit-latency',
    { stampExe: ctx.helpers['stamp-exit'], stampFile: join(ctx.tmpDir, 'stamp'), spawnLoop, ...config.exitLatency },
    { deadlineMs: config.deadlineMs.exit });
  log(`bench: ${config.idle.count} idle children`);
  results.idle = await measureIdleChildren(ctx, { sleepExe: PROGRAMS.sleep, ...config.idle },
    { deadlineMs: config.deadlineMs.idle, nodeArgs: ['--expose-gc'] });
  log('bench: exec round trip');
  results.exec = await runScenarioProcess(ctx, 'exec-roundtrip',
    { file: PROGRAMS.echo, args: ['hi'], expect: 'hi', plan: config.execPlan },
    { deadlineMs: config.deadlineMs.exec });
  // Other areas' scripts are left out of --quick, which must stay under a minute.
  results.extras = quick ? [] : await measureExtras(ctx, benchDir, config.deadlineMs.extra, log);
  results.durationS = Number(process.hrtime.bigint() - started) / 1e9;
  results.loadAverageEnd = os.loadavg();
  return results;
}

/** Full run: BENCHMARKS.md (keeping the hand-written Findings), charts, raw JSON. */
function writeFullReport(results) {
  const chartDir = join(benchDir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  const charts = writeCharts(results, chartDir);
  const path = join(rootDir, 'BENCHMARKS.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : null;
  writeFileSync(path, withFindings(renderReport(results, { chartDir: 'bench/charts' }), previous));
  writeFileSync(join(benchDir, 'results', 'full.json'), `${JSON.stringify(results, null, 1)}\n`);
  log(`bench: wrote BENCHMARKS.md, bench/results/full.json and ${charts.length} chart(s) in bench/charts/`);
}

/** Quick run: never touches BENCHMARKS.md or the charts. */
function writeQuickReport(results) {
  writeFileSync(join(benchDir, 'results', 'quick.md'), `${renderReport(results)}\n`);
  writeFileSync(join(benchDir, 'results', 'quick.json'), `${JSON.stringify(results, null, 1)}\n`);
  log('bench: wrote bench/results/quick.md and bench/results/quick.json');
}

function printSummary(results) {
  process.stdout.write(`${renderReport(results)}\n\n`);
  for (const t of evaluateTargets(results)) log(`  ${verdict(t.met).padEnd(12)} ${t.text}: ${t.measured}`);
}

/**
 * What makes the run incomplete (non-zero exit status): a scenario without a result, or procctl
 * itself failing or missing in one. Missed targets do not: speed is reported, not asserted.
 */
function incompleteParts(results) {
  const sections = { throughput: results.throughput, 'exit latency': results.exitLatency, 'idle children': results.idle,
    exec: results.exec };
  for (const level of results.spawn) sections[`spawn ${level.label}`] = level;
  for (const extra of results.extras) sections[extra.command] = extra;
  const problems = [];
  for (const [name, section] of Object.entries(sections)) {
    if (section?.error) {
      problems.push(`${name}: ${section.error}`);
    } else if (section?.rows) {
      const ours = section.rows.find((row) => row.name === HEADLINE);
      if (!ours || ours.error) problems.push(`${name}: ${HEADLINE} ${ours?.error ?? 'not measured'}`);
    }
  }
  return problems;
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const config = MODES[values.quick ? 'quick' : 'full'];
  const compiled = compileHelpers(['spawn-loop', 'stamp-exit']);
  const ctx = { runId: `${process.pid}-${Date.now()}`, tmpDir: compiled.dir, helpers: compiled.paths,
    dispose: compiled.dispose };
  installCleanup(ctx);
  if (!existsSync(join(rootDir, 'dist', 'lib', 'index.js'))) {
    log('bench: dist/lib/index.js is missing, procctl rows will be empty (run `npm run build` first)');
  }
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  const results = await measureAll(ctx, config, values.quick);
  printSummary(results);
  if (values.quick) writeQuickReport(results);
  else writeFullReport(results);
  const problems = incompleteParts(results);
  if (problems.length > 0) {
    log(`bench: incomplete run:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();

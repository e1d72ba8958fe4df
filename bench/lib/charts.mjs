// The report's charts, built from one run's results with the hand-written SVG primitives.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChart, lineChartLogY } from './svg.mjs';

/** Colours by library, the same in every chart; procctl stands out, the C bound is grey. */
const COLORS = {
  procctl: '#c0392b',
  'procctl (native)': '#e67e22',
  'C posix_spawn (bound)': '#555555',
  'C waitpid (bound)': '#555555',
};
const OTHER = '#2c7fb8';
const LINE_COLORS = ['#2c7fb8', '#41ab5d', '#756bb1', '#1b9e77', '#e7298a', '#a6761d'];

function bar(label, value, whisker) {
  return { label, value, whisker, color: COLORS[label] ?? OTHER };
}

/** Rows that measured (failed rows have only {name, error}). */
const measured = (rows) => rows.filter((row) => !row.error);

function spawnBaseChart(r) {
  const level = r.spawn?.find((l) => !l.error);
  if (!level) return null;
  const rows = measured(level.rows).map((row) => bar(row.name, row.totalMs.median, row.totalMs.p99));
  const bound = level.cBound;
  if (bound?.totalMs) rows.push(bar(bound.name, bound.totalMs.median, bound.totalMs.p99));
  return barChart({ title: `spawn + wait of /bin/true, parent RSS ${level.label}`, unit: 'ms', rows,
    note: 'bar: median, whisker: p99' });
}

function spawnVsRssChart(r) {
  const levels = (r.spawn ?? []).filter((l) => !l.error);
  if (levels.length === 0) return null;
  const names = [...new Set(levels.flatMap((l) => measured(l.rows).map((row) => row.name)))];
  let other = 0;
  const series = names.map((name) => ({
    name,
    values: levels.map((l) => l.rows.find((row) => row.name === name)?.totalMs?.median ?? null),
    color: COLORS[name] ?? LINE_COLORS[other++ % LINE_COLORS.length],
    bold: name === 'procctl',
  }));
  const bound = levels.find((l) => l.cBound?.totalMs)?.cBound;
  if (bound) {
    series.push({ name: bound.name, values: levels.map((l) => l.cBound?.totalMs?.median ?? null), color: COLORS[bound.name] });
  }
  return lineChartLogY({ title: 'Cost of spawn + wait vs parent RSS (median, log scale)',
    xLabels: levels.map((l) => l.label), series, yLabel: 'ms per spawn' });
}

function throughputChart(r) {
  const t = r.throughput;
  if (!t?.rows) return null;
  const rows = measured(t.rows).map((row) => bar(row.name, row.spawnsPerSec.median));
  if (t.cInflight?.spawnsPerSec) rows.push(bar(t.cInflight.name, t.cInflight.spawnsPerSec.median));
  return barChart({ title: `Throughput: ${t.inFlight} in flight, ${t.total} spawns of /bin/true`, unit: 'spawns/s', rows });
}

function exitLatencyChart(r) {
  const e = r.exitLatency;
  if (!e?.rows) return null;
  return barChart({ title: 'Exit-notification latency (child _exit → JS callback)', unit: 'µs',
    rows: [...measured(e.rows), ...(e.cBound?.latencyUs ? [e.cBound] : [])]
      .map((row) => bar(row.name, row.latencyUs.median, row.latencyUs.p99)),
    note: 'bar: median, whisker: p99' });
}

function idleChart(r) {
  const i = r.idle;
  if (!i?.rows) return null;
  return barChart({ title: `SIGTERM to ${i.count} groups → last exit event`, unit: 'ms',
    rows: measured(i.rows).map((row) => bar(row.name, row.terminateAllMs.median, row.terminateAllMs.max)),
    note: 'bar: median over repeats, whisker: worst' });
}

function execChart(r) {
  const x = r.exec;
  if (!x?.rows) return null;
  return barChart({ title: `exec round trip with captured output: ${x.command}`, unit: 'ms',
    rows: measured(x.rows).map((row) => bar(row.name, row.totalMs.median, row.totalMs.p99)),
    note: 'bar: median, whisker: p99' });
}

const CHARTS = {
  'spawn-50mb.svg': spawnBaseChart,
  'spawn-vs-rss.svg': spawnVsRssChart,
  'throughput.svg': throughputChart,
  'exit-latency.svg': exitLatencyChart,
  'idle-children.svg': idleChart,
  'exec.svg': execChart,
};

/**
 * Write every chart that has data into dir, and remove the ones that have none this run (a stale
 * chart must not outlive its figures). Returns the file names written.
 */
export function writeCharts(results, dir) {
  const written = [];
  for (const [file, build] of Object.entries(CHARTS)) {
    const svg = build(results);
    if (svg) {
      writeFileSync(join(dir, file), svg);
      written.push(file);
    } else {
      rmSync(join(dir, file), { force: true });
    }
  }
  return written;
}

// Facts about the machine for the report header: what a reader needs to compare figures.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** The selected mode in a sysfs choice list such as "always [madvise] never". */
function selected(choiceList) {
  return /\[(\w+)\]/.exec(choiceList)?.[1] ?? choiceList;
}

/**
 * The kernel's data-access monitors (DAMON kdamonds) that are running, e.g. "paddr pageout".
 * One that samples physical memory walks the page tables of every process that maps it, so its
 * work grows with the parent's RSS and lands in the tail of every cell (BENCHMARKS Findings).
 */
function damonMonitors() {
  const admin = '/sys/kernel/mm/damon/admin/kdamonds';
  const count = Number(readOr(`${admin}/nr_kdamonds`, '0'));
  const running = [];
  for (let k = 0; k < count; k++) {
    if (readOr(`${admin}/${k}/state`, 'off') !== 'on') continue;
    const context = `${admin}/${k}/contexts/0`;
    const actions = [];
    const schemes = Number(readOr(`${context}/schemes/nr_schemes`, '0'));
    for (let s = 0; s < schemes; s++) actions.push(readOr(`${context}/schemes/${s}/action`, '?'));
    const sampleUs = Number(readOr(`${context}/monitoring_attrs/intervals/sample_us`, 'NaN'));
    const every = Number.isFinite(sampleUs) ? `, sampling every ${sampleUs / 1000} ms` : '';
    running.push(`${readOr(`${context}/operations`, '?')} ${actions.join('+') || 'monitor only'}${every}`);
  }
  return running.length ? `on: ${running.join('; ')}` : 'off';
}

export function machineFacts() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    glibc: process.report?.getReport().header.glibcVersionRuntime ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    transparentHugepages: selected(readOr('/sys/kernel/mm/transparent_hugepage/enabled', 'unknown')),
    damon: damonMonitors(),
    loadAverage: os.loadavg(),
  };
}

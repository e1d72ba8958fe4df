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
    loadAverage: os.loadavg(),
  };
}

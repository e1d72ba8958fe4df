// Helpers for supervisor, init and run tests: unique markers for the processes a test starts (so
// they can be found in /proc and killed however the test ends), and a supervisor script run in a
// child Node process (so that it can be SIGKILLed without taking the test runner with it).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findByCmdline, killAll } from './proc.js';
import { locateReaper } from '../../lib/supervisor/reaper-client.js';
import { resolveCgroupParent } from '../../lib/supervisor/cgroup.js';

/** dist/test/helpers → dist/lib/supervisor/supervisor.js (for scripts run in a child Node). */
export const SUPERVISOR_MODULE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'supervisor', 'supervisor.js');

let counter = 0;

/** A number nobody else uses as a sleep argument: `sleep ${marker()}` is findable by cmdline. */
export function marker(): string {
  counter++;
  return String(3_000_000_000 + (process.pid % 100_000) * 1000 + counter * 7 + Math.floor(Math.random() * 7));
}

/** Live `sleep MARK` processes (not the shells whose command line merely mentions the marker). */
export function withMarker(mark: string): number[] {
  return findByCmdline(mark).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1') === `sleep\0${mark}\0`;
    } catch {
      return false;
    }
  });
}

/** SIGKILL everything carrying any of the markers (test cleanup). */
export function killMarked(marks: Iterable<string>): void {
  for (const mark of marks) killAll(findByCmdline(mark));
}

/** Why reaper containment cannot be tested here, or null when it can. */
export function reaperMissing(): string | null {
  return locateReaper() === null ? 'procctl-reaper is not built (build/Release or prebuilds/)' : null;
}

/** Why cgroup containment cannot be tested here, or null when it can. */
export function cgroupMissing(): string | null {
  try {
    resolveCgroupParent(null);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Run an ES module body in a child Node process with `Supervisor` imported. The script prints
 * lines; the helper resolves each awaited line in order.
 */
export function startSupervisorScript(body: string): ChildProcess & { lines: AsyncIterator<string> } {
  const source = `import { Supervisor } from ${JSON.stringify(SUPERVISOR_MODULE)};\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const queue: string[] = [];
  const waiters: Array<(r: IteratorResult<string>) => void> = [];
  let ended = false;
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      const waiter = waiters.shift();
      if (waiter) waiter({ value: line, done: false });
      else queue.push(line);
    }
  });
  child.stdout!.on('end', () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter({ value: undefined, done: true });
  });
  const lines: AsyncIterator<string> = {
    next: () => {
      const line = queue.shift();
      if (line !== undefined) return Promise.resolve({ value: line, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
  return Object.assign(child, { lines });
}

/** The next line, or an error naming what was expected. */
export async function nextLine(lines: AsyncIterator<string>, what: string): Promise<string> {
  const result = await lines.next();
  if (result.done) throw new Error(`the script ended before printing ${what}`);
  return result.value;
}

/** Resolve when a node:child_process child has exited. */
export function childExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

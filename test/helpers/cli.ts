// Helpers for tests of the procctl CLI: run the real bin (dist/lib/cli/main.cjs) as a subprocess
// with node:child_process, always with a deadline, and find the processes it leaves behind.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findByCmdline, killAll } from './proc.js';

/** dist/test/helpers/cli.js → dist/lib/cli/main.cjs */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'cli', 'main.cjs');

export interface CliResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions extends Omit<SpawnOptions, 'stdio'> {
  /** Kill the CLI (SIGKILL) after this many ms; the result then has signal 'SIGKILL'. */
  deadline?: number;
  /** Extra stdio entries for fds 3 and up. */
  extraFds?: Array<'pipe' | 'ignore' | number>;
  input?: string;
}

/** Start `node main.cjs ...args` with stdout/stderr piped. */
export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  const { deadline: _deadline, extraFds = [], input: _input, ...rest } = options;
  return spawn(process.execPath, [CLI, ...args], { ...rest, stdio: ['pipe', 'pipe', 'pipe', ...extraFds] });
}

/** How long output may keep flowing after the CLI exited (a leftover grandchild may hold the pipe). */
const DRAIN_MS = 1000;

/**
 * Collect a started CLI's output and status; SIGKILL it after `deadline` ms. Resolves on the
 * process's exit plus a bounded drain, never on pipe EOF alone: a grandchild that keeps the pipe
 * open must not hang the test.
 */
export function finishCli(child: ChildProcess, deadline = 15_000, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), deadline);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const finish = (): void => {
        clearTimeout(drain);
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ pid: child.pid ?? -1, code, signal, stdout, stderr });
      };
      const drain = setTimeout(finish, DRAIN_MS);
      child.on('close', finish);
    });
  });
}

/** Run the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return finishCli(startCli(args, options), options.deadline, options.input);
}

/** Resolve with the first line the child prints on stdout (it keeps running). */
export function firstLine(child: ChildProcess, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no output line within ${ms} ms`)), ms);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(buffer.slice(0, nl));
    };
    child.stdout?.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`exited before printing a line; got ${JSON.stringify(buffer)}`));
    });
  });
}

let counter = 0;

/**
 * A sleep duration nobody else uses ('1000.<digits>'), so leftovers can be found by cmdline with
 * findByCmdline and killed.
 */
export function uniqueSleep(): string {
  counter += 1;
  return `1000.${process.pid}${String(counter).padStart(3, '0')}`;
}

/** SIGKILL every process whose cmdline holds one of the markers. */
export function killMarked(...markers: string[]): void {
  for (const marker of markers) killAll(findByCmdline(marker));
}

/** Assert helper: stderr is exactly one line starting `procctl:`. */
export function isOneErrorLine(stderr: string): boolean {
  return /^procctl: [^\n]+\n$/.test(stderr);
}

/** A fresh temporary directory (realpath) and its removal. */
export function tempDir(): { path: string; remove: () => void } {
  const path = realpathSync(mkdtempSync(join(tmpdir(), 'procctl-cli-')));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A file's text, or '' when it cannot be read (the process is gone). */
export function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Pids running exactly `sleep <nap>` (not the shells whose command line mentions it). */
export function sleepers(nap: string): number[] {
  return findByCmdline(nap).filter((pid) => readFileSyncSafe(`/proc/${pid}/cmdline`) === `sleep\0${nap}\0`);
}

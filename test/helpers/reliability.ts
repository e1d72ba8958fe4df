// Helpers for the reliability suites (property, fault, security): snapshots of what a process
// holds (fds, children, zombies) to prove nothing leaked, a runner for scenarios that must execute
// in a separate Node process (under prlimit, another uid, a cgroup or a PID namespace), and the
// /proc view of a child that property tests compare against the options they passed.
import { spawn as spawnNode } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from '../../lib/index.js';
import { childrenOf, listFds, readStat, readStatus, sigMask, zombieChildren } from './proc.js';

/** dist/ of this checkout (this file compiles to dist/test/helpers/reliability.js). */
export const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Absolute URL-free paths for `import` inside scenario scripts run by runNodeScenario(). */
export const libIndex = join(distRoot, 'lib', 'index.js');
export const helpersModule = fileURLToPath(import.meta.url);
export const procModule = join(dirname(helpersModule), 'proc.js');

/**
 * True under `npm run test:asan` (it sets PROCCTL_SANITIZER and preloads the runtimes). Scenarios
 * that starve the address space must skip then (the sanitizer cannot map its shadow), and
 * property tests run fewer cases, since every process starts several times slower.
 */
export const underSanitizer = Boolean(process.env.PROCCTL_SANITIZER) || /lib(a|ub)san/.test(process.env.LD_PRELOAD ?? '');

/** uid/gid of an account that exists on every Debian-like system and owns nothing. */
export const NOBODY = 65534;

/** What a process holds that must not grow: its fds, its live children, its zombie children. */
export interface Holdings {
  fds: number[];
  children: number[];
  zombies: number[];
}

export function holdings(pid: number = process.pid): Holdings {
  return {
    fds: listFds(pid === process.pid ? 'self' : pid),
    children: childrenOf(pid),
    zombies: zombieChildren(pid),
  };
}

/**
 * Take the once-per-process fds before a baseline: procctl's shared /dev/null (for 'ignore') and
 * the one Node/libuv opens the first time a pipe fd becomes a net.Socket. Neither grows later.
 */
export async function warmUp(): Promise<void> {
  const child = spawn('/bin/true', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  for (const stream of child.stdio) stream?.destroy();
  await child.exited;
}

/** Human-readable list of what `after` holds beyond `before` (empty when nothing leaked). */
export function leaksBetween(before: Holdings, after: Holdings): string[] {
  const out: string[] = [];
  const extraFds = after.fds.filter((fd) => !before.fds.includes(fd));
  if (extraFds.length > 0) out.push(`fds ${extraFds.join(',')} (${describeFds(extraFds)})`);
  const extraChildren = after.children.filter((p) => !before.children.includes(p));
  if (extraChildren.length > 0) out.push(`children ${extraChildren.join(',')}`);
  const extraZombies = after.zombies.filter((p) => !before.zombies.includes(p));
  if (extraZombies.length > 0) out.push(`zombies ${extraZombies.join(',')}`);
  return out;
}

function describeFds(fds: number[]): string {
  return fds
    .map((fd) => {
      try {
        return `${fd}→${readlinkSync(`/proc/self/fd/${fd}`)}`;
      } catch {
        return `${fd}→?`;
      }
    })
    .join(' ');
}

/**
 * Wait until nothing leaked relative to `before` (fds close and children get reaped a tick or two
 * after a promise settles), then return what is still extra. Empty array: clean.
 */
export async function settleLeaks(before: Holdings, ms = 2000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const leaks = leaksBetween(before, holdings());
    if (leaks.length === 0 || Date.now() > end) return leaks;
    await sleep(20);
  }
}

/** What a child looks like from outside, in the terms of spawn options. */
export interface ProcView {
  pgid: number;
  sid: number;
  sigIgn: bigint;
  sigBlk: bigint;
  fds: number[];
  umask: number;
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  noNewPrivs: boolean;
}

export function procView(pid: number): ProcView {
  const stat = readStat(pid);
  const status = readStatus(pid);
  const ids = (field: string): number[] =>
    (status.get(field) ?? '').split(/\s+/).filter(Boolean).map(Number);
  return {
    pgid: stat.pgid,
    sid: stat.sid,
    sigIgn: sigMask(pid, 'SigIgn'),
    sigBlk: sigMask(pid, 'SigBlk'),
    fds: listFds(pid),
    umask: parseInt(status.get('Umask') ?? '-1', 8),
    cwd: readlinkSync(`/proc/${pid}/cwd`),
    uid: ids('Uid')[0] ?? -1,
    gid: ids('Gid')[0] ?? -1,
    groups: ids('Groups'),
    noNewPrivs: status.get('NoNewPrivs') === '1',
  };
}

/**
 * Wait until a freshly spawned `sleep` is blocked in nanosleep. spawn() returns once execve
 * succeeded, but the new program's dynamic loader still opens /etc/ld.so.cache and libraries on
 * fd 3 for a moment: an fd list read before this point sees them.
 */
export async function waitUntilSleeping(pid: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    let wchan = '';
    try {
      wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    } catch {
      return; // gone: the caller's assertions will say so
    }
    if (wchan.includes('nanosleep') || Date.now() > end) return;
    await sleep(2);
  }
}

/** NAME=value entries of /proc/PID/environ. */
export function readEnviron(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
}

export interface ScenarioResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last stdout line that parses as JSON (scenarios report with one JSON line). */
  report: Record<string, unknown> | null;
}

export interface ScenarioOptions {
  /** Prefix command, e.g. ['prlimit', '--nofile=64'] or ['unshare', '--pid', '--fork']. */
  wrapper?: string[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Run an ES module (given as source text) in a fresh Node process and collect its JSON report.
 * Scenarios that lower limits, drop privileges or enter namespaces run there so that a crash or a
 * hang fails the test instead of taking the runner down. The harness uses node:child_process on
 * purpose: it is the independent observer, not the code under test.
 */
export async function runNodeScenario(source: string, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const argv = [...(options.wrapper ?? []), process.execPath, '--input-type=module', '-e', source];
  const child = spawnNode(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timeoutMs = options.timeoutMs ?? 20_000;
  const timer = setTimeout(() => {
    // The scenario leads its own group (detached): take everything it started down with it.
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr, report: lastJsonLine(stdout) };
}

function lastJsonLine(text: string): Record<string, unknown> | null {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
    } catch {
      // not the report line
    }
  }
  return null;
}

/** True when `cmd --version` (or `cmd --help`) runs: the util-linux tools the scenarios rely on. */
export async function hasTool(cmd: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawnNode(cmd, ['--help'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Mount point of a cgroup hierarchy that has `controller` (v1 or v2), found via mountinfo. */
export function cgroupMountFor(controller: string): { path: string; version: 1 | 2 } | null {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fsType, , superOptions] = right.split(' ');
    if (!mountPoint) continue;
    if (fsType === 'cgroup' && (superOptions ?? '').split(',').includes(controller)) {
      return { path: mountPoint, version: 1 };
    }
    if (fsType === 'cgroup2') {
      try {
        const controllers = readFileSync(join(mountPoint, 'cgroup.controllers'), 'utf8').split(/\s+/);
        if (controllers.includes(controller)) return { path: mountPoint, version: 2 };
      } catch {
        // unreadable hierarchy
      }
    }
  }
  return null;
}

/**
 * Source text that a scenario script starts with: imports of the package and of these helpers,
 * `report(obj)` that prints the one JSON line runNodeScenario() collects, `describeError(e)` and
 * `attempt(file, args, options)`.
 */
export function scenarioPrelude(): string {
  return [
    `import * as procctl from ${JSON.stringify(libIndex)};`,
    `import * as rel from ${JSON.stringify(helpersModule)};`,
    `import * as proc from ${JSON.stringify(procModule)};`,
    `const report = (o) => process.stdout.write(JSON.stringify(o, (k, v) => typeof v === 'bigint' ? v.toString() : v) + '\\n');`,
    `const describeError = (e) => e && typeof e === 'object' ? { name: e.name, message: e.message, code: e.code, errno: e.errno, stage: e.stage, path: e.path, syscall: e.syscall } : { value: String(e) };`,
    // One spawn attempt, awaited to its exit, streams closed: {ok, code, signal} or {ok: false, error}.
    'const attempt = async (file, args, options) => {',
    '  let child;',
    '  try { child = procctl.spawn(file, args, options); }',
    '  catch (e) { return { ok: false, error: describeError(e), spawnError: procctl.SpawnError.is(e) }; }',
    '  for (const s of child.stdio) s?.destroy();',
    '  const r = await child.exited;',
    '  return { ok: true, code: r.code, signal: r.signal };',
    '};',
    '',
  ].join('\n');
}

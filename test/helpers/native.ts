// Helpers for the native-layer suite (test/native/): requests for native().spawn with sane
// defaults, a promise for the exit, and runners for fixture scripts that must live in their own
// Node process (odd signal state, other uids, worker teardown, crash-prone lifecycles).
import { execFileSync, spawn as spawnProcess } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  native,
  packageRoot,
  type NativeExit,
  type NativeSpawnRequest,
  type NativeSpawnResult,
} from '../../lib/native.js';
import { nativeRequest as buildRequest } from '../../lib/spawn/request.js';
import { waitUntil } from './proc.js';

/** Executable paths for file, PATH applied the way execvp would. */
export function candidatesFor(file: string): string[] {
  if (file.includes('/')) return [file];
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter);
  return dirs.map((dir) => join(dir || '.', file));
}

/** A request that inherits stdio, starts a new group and resets signals; override any field. */
export function nativeRequest(argv: string[], overrides: Partial<NativeSpawnRequest> = {}): NativeSpawnRequest {
  const file = argv[0] ?? '';
  const command = { file, candidates: candidatesFor(file), argv, envp: Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`), cwd: null, fds: [0, 1, 2] };
  return Object.assign(buildRequest(command, { pgid: 0 }), overrides);
}

export interface NativeChild extends NativeSpawnResult {
  /** Resolves with the one NativeExit onExit received; rejects if onExit runs twice. */
  exited: Promise<NativeExit>;
}

/** native().spawn with the exit as a promise. */
export function spawnNative(argv: string[], overrides: Partial<NativeSpawnRequest> = {}, hold = false): NativeChild {
  let resolve!: (exit: NativeExit) => void;
  let reject!: (error: Error) => void;
  const exited = new Promise<NativeExit>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let calls = 0;
  const result = native().spawn(
    nativeRequest(argv, overrides),
    (exit) => {
      calls += 1;
      if (calls === 1) resolve(exit);
      else reject(new Error(`onExit called ${calls} times for pid ${exit.pid}`));
    },
    hold,
  );
  return { ...result, exited };
}

/**
 * Whether a group sweep here reaches the group through the leader's pidfd (the reaping rule in
 * lib/spawn/subprocess.ts): a child spawned now has a pidfd and the kernel takes
 * PIDFD_SIGNAL_PROCESS_GROUP (Linux 6.9). Not under qemu-user, which refuses CLONE_PIDFD.
 */
export async function groupPidfdInEffect(): Promise<boolean> {
  const child = spawnNative(['true'], { fds: [-1, -1, -1] }, true);
  const pidfd = native().groupPidfd(child.id);
  if (pidfd >= 0) native().closeGroupPidfd(pidfd);
  await child.exited;
  native().reap(child.id);
  return pidfd >= 0;
}

/** Path of a compiled fixture under dist/test/fixtures/native/. */
export function fixturePath(name: string): string {
  return join(packageRoot, 'dist', 'test', 'fixtures', 'native', `${name}.js`);
}

export interface FixtureResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FixtureOptions {
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** Kill the fixture (SIGKILL) after this many ms; default 60 s. */
  timeout?: number;
  /** A program (and its arguments) that runs node, e.g. [refuseCloneLauncher(), 'pidfd']. */
  launcher?: string[];
}

/**
 * Runs a fixture in its own Node process (same node binary, same PREBUILDS_ONLY), so a crash or
 * hang fails the test instead of taking down the runner.
 */
export function runFixture(name: string, args: string[] = [], options: FixtureOptions = {}): Promise<FixtureResult> {
  return new Promise((resolve, reject) => {
    const [file, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
    const child = spawnProcess(file!, [...launcherArgs, fixturePath(name), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * test/fixtures/native/refuse-clone.c compiled next to the fixtures (once; the rename keeps
 * concurrent test files from seeing half a binary). A skip reason instead when there is no C
 * compiler or the machine is not x86-64 (the seccomp filter is written for it).
 */
export function refuseCloneLauncher(): { path: string } | { skip: string } {
  if (process.arch !== 'x64') return { skip: 'the seccomp launcher is written for x86-64' };
  const output = join(packageRoot, 'dist', 'test', 'fixtures', 'native', 'refuse-clone');
  if (existsSync(output)) return { path: output };
  const temporary = `${output}.${process.pid}`;
  try {
    execFileSync('cc', ['-O2', '-o', temporary, join(packageRoot, 'test', 'fixtures', 'native', 'refuse-clone.c')], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { skip: 'no C compiler (cc) to build the seccomp launcher' };
    throw error;
  }
  renameSync(temporary, output);
  return { path: output };
}

/** The last stdout line of a fixture, parsed as JSON (fixtures report that way). */
export function fixtureReport<T>(result: FixtureResult): T {
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`fixture printed no JSON report (code ${result.code}, signal ${result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Errors from native calls carry Node's system-error fields plus stage/path for spawn. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  stage?: string;
  path?: string;
}

/** Runs fn, which must throw; returns the error with its system-error fields. */
export function thrown(fn: () => unknown): NativeError {
  try {
    fn();
  } catch (error) {
    return error as NativeError;
  }
  throw new Error('expected the call to throw');
}

/**
 * Waits until a spawned `sleep` is asleep in nanosleep: past the dynamic loader and libc start-up,
 * which open and close files (and so briefly take the lowest free fd numbers).
 */
export async function settledInSleep(pid: number): Promise<void> {
  await waitUntil(() => {
    try {
      return readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('nanosleep');
    } catch {
      return true; // gone
    }
  }, 5000, `${pid} to reach nanosleep`);
}

// The supervisor's side of procctl-init in contained mode (native/init/init.c, whose top comment is
// the protocol; the same program is `procctl init`). This reaper is the supervised process; the
// command is its child. Two pipes connect
// them, passed as the reaper's two highest fds:
//   control (supervisor writes): "kill\n" SIGKILLs the whole subtree. The supervisor holds the
//     only write end (O_CLOEXEC, never passed to anyone else), so when the supervisor dies — even
//     by SIGKILL — the reaper reads EOF and kills the subtree; PR_SET_PDEATHSIG backs this up.
//   status (reaper writes): one JSON line before it exits: the command's status and the rusage
//     of the whole tree (every descendant the reaper reaped).
// A signal sent to the reaper is forwarded to its whole subtree, so a graceful stop reaches
// escapees too: stop = stopSignal to the reaper → grace → "kill" → wait for the reaper's exit.
import { accessSync, constants, writeSync } from 'node:fs';
import { INIT_BINARY, locateInit } from '../init-binary.js';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { native, packageRoot } from '../native.js';
import { spawn } from '../spawn/spawn.js';
import type { ExitResult, Rusage } from '../exit.js';
import type { Subprocess } from '../spawn/subprocess.js';
import { signalName } from '../signals.js';
import type { StdioEntry } from '../options.js';
import type { Contained } from './contained.js';
import type { NormalizedChild } from './spec.js';

/** What the reaper writes on its status fd. */
interface ReaperRecord {
  pid: number;
  code: number | null;
  signal: number;
  coreDumped: boolean;
  userCpuMs: number;
  systemCpuMs: number;
  maxRssKb: number;
  reaped: number;
  execErrno: number;
}

/** How long the reaper gets to finish its SIGKILL sweep before the supervisor kills it too. */
const KILL_SWEEP_MS = 5000;
/** How long to wait for the status record after the reaper exited (it is written before exit). */
const RECORD_WAIT_MS = 1000;

/** The reaper is procctl-init in contained mode: the same binary. */
export const locateReaper = locateInit;

/** The configured path, or the located one; throws naming `reaperPath` when there is none. */
export function resolveReaperPath(configured: string | null): string {
  const path = configured ?? locateInit();
  if (path === null) {
    throw new Error(`reaperPath: ${INIT_BINARY} was not found in build/Release or prebuilds/ under ${packageRoot}; build the addon or set reaperPath`);
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`reaperPath: ${JSON.stringify(path)} is not an executable file`);
  }
  return path;
}

/** Collect what the reaper writes on the status pipe (at most one short line). */
function readRecord(fd: number): Promise<ReaperRecord | null> {
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.unref();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  return new Promise((resolve) => {
    const done = (): void => {
      socket.destroy();
      try {
        resolve(JSON.parse(text.trim()) as ReaperRecord);
      } catch {
        resolve(null); // the reaper was killed before it could report
      }
    };
    socket.once('end', done);
    socket.once('error', done);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([promise, sleep(ms, fallback, { ref: false })]);
}

/** The command's exit as the reaper reported it, with the rusage of the whole tree. */
function toTreeExit(record: ReaperRecord | null, reaperExit: ExitResult): ExitResult {
  if (record === null) return reaperExit;
  const rusage: Rusage = { ...reaperExit.rusage, userCpuMs: record.userCpuMs, systemCpuMs: record.systemCpuMs, maxRssKb: record.maxRssKb };
  return {
    code: record.code,
    signal: record.signal === 0 ? null : signalName(record.signal),
    coreDumped: record.coreDumped,
    rusage,
    durationMs: reaperExit.durationMs,
  };
}

function writeControl(fd: number, line: string): void {
  try {
    writeSync(fd, `${line}\n`);
  } catch {
    // EPIPE: the reaper is already gone
  }
}

/** stdio with the control and status pipes appended as the two highest child fds. */
function withPipes(stdio: unknown, controlFd: number, statusFd: number): { stdio: StdioEntry[]; control: number; status: number } {
  const base: StdioEntry[] = Array.isArray(stdio) ? [...(stdio as StdioEntry[])] : [stdio as StdioEntry, stdio as StdioEntry, stdio as StdioEntry];
  while (base.length < 3) base.push(undefined);
  const control = base.length;
  return { stdio: [...base, controlFd, statusFd], control, status: control + 1 };
}

function spawnReaper(child: NormalizedChild, reaperPath: string, controlRead: number, statusWrite: number): Subprocess {
  const plan = withPipes(child.options.stdio, controlRead, statusWrite);
  const args = [
    '-p', String(process.pid), '-c', String(plan.control), '-s', String(plan.status),
    '-g', String(child.stopTimeout), '--', child.file, ...child.args,
  ];
  return spawn(reaperPath, args, { ...child.options, group: 'new', stdio: plan.stdio });
}

export function startInReaper(child: NormalizedChild, reaperPath: string): Contained {
  const [controlRead, controlWrite] = native().pipe();
  let statusRead = -1;
  let statusWrite = -1;
  let proc: Subprocess;
  try {
    [statusRead, statusWrite] = native().pipe();
    proc = spawnReaper(child, reaperPath, controlRead, statusWrite);
  } catch (error) {
    for (const fd of [controlRead, controlWrite, statusRead, statusWrite]) if (fd >= 0) native().close(fd);
    throw error;
  }
  native().close(controlRead);
  native().close(statusWrite);
  const record = readRecord(statusRead);

  let controlOpen = true;
  const finished = proc.exited.then(async (reaperExit) => {
    controlOpen = false;
    native().close(controlWrite);
    return toTreeExit(await withTimeout(record, RECORD_WAIT_MS, null), reaperExit);
  });
  let stopping: Promise<ExitResult> | undefined;

  const stop = async (sig: number, graceMs: number): Promise<ExitResult> => {
    proc.kill(sig);
    if ((await withTimeout(proc.exited.then(() => true), graceMs, false)) === false) {
      // Checked again here: once closed, the fd number may already belong to something else.
      if (controlOpen) writeControl(controlWrite, 'kill');
      // Only a broken reaper outlives its own SIGKILL sweep; then at least its group goes.
      if ((await withTimeout(proc.exited.then(() => true), KILL_SWEEP_MS, false)) === false) {
        await proc.terminate({ signal: 'SIGKILL', grace: 0 });
      }
    }
    return finished;
  };

  return {
    process: proc,
    finished,
    signal: (sig) => {
      proc.kill(sig);
    },
    stop: (sig, graceMs) => (stopping ??= stop(sig, graceMs)),
  };
}

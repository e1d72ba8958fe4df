// Shaping what the exit watcher reports (NativeExit) into the public exit result.
import { performance } from 'node:perf_hooks';
import type { NativeExit } from './native.js';
import { parseSignal, signalExitStatus, signalName } from './signals.js';

/** Resource usage of a reaped child, converted from struct rusage (the exit watcher fills it in C). */
export interface Rusage {
  userCpuMs: number;
  systemCpuMs: number;
  maxRssKb: number;
  minorFaults: number;
  majorFaults: number;
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  inBlocks: number;
  outBlocks: number;
}

/** How a process ended, as `child.exited` resolves it. */
export interface ExitResult {
  /** Exit code when the process exited normally, else null. */
  code: number | null;
  /** Name of the signal that killed it ('SIGKILL', 'SIGRTMIN+3'), else null. */
  signal: string | null;
  coreDumped: boolean;
  /** Resource usage of the process itself (its reaped children included, as getrusage counts). */
  rusage: Rusage;
  /** Milliseconds from the spawn call to the observed exit. */
  durationMs: number;
}

/** A monotonic start mark for durationMs. */
export function startClock(): number {
  return performance.now();
}

export function toExitResult(exit: NativeExit, startedAt: number): ExitResult {
  return {
    code: exit.code,
    signal: exit.signal === 0 ? null : signalName(exit.signal),
    coreDumped: exit.coreDumped,
    rusage: exit.rusage,
    durationMs: performance.now() - startedAt,
  };
}

/** True when the process exited by itself with code 0. */
export function isSuccess(result: Pick<ExitResult, 'code' | 'signal'>): boolean {
  return result.code === 0 && result.signal === null;
}

/** The status a shell reports for an exit: the code, or 128+N when signal N killed the process. */
export function shellStatus(result: Pick<ExitResult, 'code' | 'signal'>): number | null {
  if (result.signal !== null) return signalExitStatus(parseSignal(result.signal, 'signal'));
  return result.code;
}

// `procctl exec` when procctl must stay as the parent: with --timeout, and for --new-session when
// procctl leads a process group (setsid would fail, so it forks once). The command leads its own
// group (procctl is not in it) and gets --signal as its death signal; the signals procctl receives
// are forwarded to that group; at the deadline the whole group gets --signal, then SIGKILL after
// --kill-after, and procctl waits until the group is empty. With --foreground the command stays
// in procctl's group and only the command is signalled (as timeout(1) --foreground). At a
// terminal the command's group gets the terminal and the job stops and continues as one
// (exec-terminal.ts, loaded only then).
import { SpawnError } from '../errors.js';
import { type ExitResult, shellStatus } from '../exit.js';
import { FORWARDED, SIGCONT, SIGKILL, signalExitStatus, signalName } from '../signals.js';
import { onSignals } from '../signal-listeners.js';
import { spawn } from '../spawn/spawn.js';
import type { Subprocess } from '../spawn/subprocess.js';
import { native } from '../native.js';
import { execFailureStatus } from './command-lookup.js';
import { type ExecInvocation, fdPlan } from './exec-invocation.js';
import type { TerminalJob } from './exec-terminal.js';
import { OWN_FAILURE_STATUS } from './status.js';
import { printError } from './output.js';
import { MAX_TIMER_MS } from '../validate.js';

const TIMED_OUT = 124;
const KILLED = signalExitStatus(SIGKILL);
/** --cleanup's grace before SIGKILL when --kill-after is not given. */
const CLEANUP_GRACE_MS = 5000;

/** terminal: the command's group takes the terminal in the child, before it execs. */
function startCommand(plan: ExecInvocation, terminal: boolean): Subprocess {
  const fds = fdPlan(plan.keepFds);
  return spawn(plan.file, plan.args, {
    ...(plan.env === null ? {} : { env: plan.env }),
    ...(plan.cwd === null ? {} : { cwd: plan.cwd }),
    // Child fd i is procctl's fd i for 0–2 and every kept fd; other slots stay closed.
    stdio: fds.map((fd) => (fd === -1 ? null : fd)),
    closeFds: true,
    ...(plan.foreground ? { group: 'inherit' as const } : plan.grouping === 'session' ? { session: true } : { group: 'new' as const, takeTerminal: terminal }),
    resetSignals: plan.resetSignals,
    defaultSignals: plan.defaultSignals,
    ignoreSignals: plan.ignoreSignals,
    ...(plan.mask === null ? {} : { blockSignals: plan.mask }),
    deathSignal: plan.signal,
  });
}

/** How procctl's signals reach the command: its group, or (--foreground) the command alone. */
type Deliver = (child: Subprocess, signo: number) => void;

const toGroup: Deliver = (child, signo) => void child.killGroup(signo);
const toCommand: Deliver = (child, signo) => void child.kill(signo);

/**
 * Forward the contract's signals to the command. Installed before the command starts, so a signal
 * arriving in between is neither lost nor fatal to procctl: it is kept and forwarded as soon as
 * the command exists. On SIGCONT the terminal job (if any) hands the terminal over first.
 * Returns the function that hands over the child, and the undo.
 */
function forwardSignals(deliver: Deliver, terminal: TerminalJob | null): { attach: (child: Subprocess) => void; stop: () => void } {
  let target: Subprocess | undefined;
  const early: number[] = [];
  const forward = (signo: number): void => {
    if (target === undefined) return;
    if (signo === SIGCONT) terminal?.continued();
    try {
      deliver(target, signo);
    } catch {
      // the command or its group is gone: nothing to forward to
    }
  };
  const stop = onSignals(FORWARDED, (signo) => (target === undefined ? void early.push(signo) : forward(signo)));
  return {
    attach: (child) => {
      target = child;
      for (const signo of early.splice(0)) forward(signo);
    },
    stop,
  };
}

/** At a terminal in procctl's foreground, its job control (loaded only then); else null. */
async function claimTerminal(plan: ExecInvocation): Promise<TerminalJob | null> {
  // --foreground keeps the command in procctl's own (foreground) group: nothing to hand over.
  if (plan.foreground) return null;
  let foreground: number;
  try {
    foreground = native().tcgetpgrp(0);
  } catch {
    return null; // stdin is not a terminal (or not this session's)
  }
  if (foreground !== native().getpgid(0)) return null;
  const { claimTerminal: claim } = await import('./exec-terminal.js');
  return claim();
}

/** Call fire after ms, even beyond setTimeout's 24.8-day limit; returns the cancel. */
function armDeadline(ms: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fire()), Math.min(left, MAX_TIMER_MS));
  };
  if (ms > 0) arm(ms);
  return () => clearTimeout(timer);
}

/** The command's status as a shell reports it: its code, or 128+N when signal N killed it. */
function statusOf(result: ExitResult): number {
  return shellStatus(result) ?? OWN_FAILURE_STATUS;
}

function spawnFailure(error: unknown): number {
  if (!SpawnError.is(error)) {
    printError(error instanceof Error ? error.message : String(error));
    return OWN_FAILURE_STATUS;
  }
  printError(error.message);
  return execFailureStatus(error.stage, error.code);
}

/** The short name timeout(1) prints: TERM, RTMIN+3. */
function shortName(signo: number): string {
  return signalName(signo).replace(/^SIG/, '');
}

export async function superviseCommand(plan: ExecInvocation): Promise<number> {
  const terminal = await claimTerminal(plan);
  const forwarding = forwardSignals(plan.foreground ? toCommand : toGroup, terminal);
  let child: Subprocess;
  try {
    child = startCommand(plan, terminal !== null);
  } catch (error) {
    forwarding.stop();
    terminal?.release();
    return spawnFailure(error);
  }
  terminal?.handOver(child);
  forwarding.attach(child);
  let timedOut = false;
  let stopping: Promise<ExitResult> | undefined;
  const cancelDeadline = armDeadline(plan.timeout, () => {
    timedOut = true;
    if (plan.verbose) printError(`sending signal ${shortName(plan.signal)} to command '${plan.file}'`);
    // Finished when the group is empty; without --kill-after never escalate (as timeout(1)).
    stopping = child.terminate({ signal: plan.signal, grace: plan.killAfter ?? Infinity, group: !plan.foreground });
  });
  try {
    const result = await child.exited;
    cancelDeadline();
    if (stopping !== undefined) await stopping;
    else if (plan.cleanup) await child.terminate({ signal: plan.signal, grace: plan.killAfter ?? CLEANUP_GRACE_MS });
    if (!timedOut || plan.preserveStatus) return statusOf(result);
    return result.signal === signalName(SIGKILL) ? KILLED : TIMED_OUT;
  } finally {
    terminal?.release();
    forwarding.stop();
  }
}

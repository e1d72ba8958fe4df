// `procctl exec --timeout` at a terminal: the command's job control. Loaded only when stdin is a
// terminal whose foreground group is procctl's (an interactive shell's foreground job); pipes, CI
// and cron never load it.
//
// The command leads its own group (so the deadline can stop every process in it), which by itself
// would be a background group: its first read of the terminal would stop it with SIGTTIN. So:
//   - the command's group becomes the terminal's foreground group before the command execs (the
//     spawn's takeTerminal) and again right after the spawn (as job-control shells do both); the
//     terminal's Ctrl-C, Ctrl-\ and Ctrl-Z reach it directly;
//   - when the command stops (Ctrl-Z, or SIGTTIN/SIGTTOU in the background), procctl takes the
//     terminal back and stops its own group with the same signal, so the shell sees the whole job
//     stop and reports it;
//   - when procctl is continued (fg or bg), the command's group gets the terminal back if procctl
//     was continued in the foreground, and then SIGCONT (forwarded as before);
//   - before procctl exits, it takes the terminal back if the command's group still holds it.
// The stops are seen with waitid(WSTOPPED | WCONTINUED | WNOHANG) on every SIGCHLD, which never
// collects the exit (the spawn API's exit watcher still does).
import { signalGroup } from '../group/kill.js';
import { native } from '../native.js';
import { tryReadStat } from '../proc/stat.js';
import { JOB_CONTROL_STOPS, SIGCHLD, SIGCONT, SIGSTOP, SIGTTOU, TERMINAL_ACCESS_STOPS } from '../signals.js';
import { onSignals } from '../signal-listeners.js';
import type { Subprocess } from '../spawn/subprocess.js';
import { printError } from './output.js';

const TERMINAL_FD = 0;

function foregroundGroup(): number {
  try {
    return native().tcgetpgrp(TERMINAL_FD);
  } catch {
    return -1;
  }
}

/**
 * The terminal job, when stdin is a terminal in procctl's foreground; null otherwise (a pipe, a
 * file, another session's terminal, or a background job).
 */
export function claimTerminal(): TerminalJob | null {
  const own = native().getpgid(0);
  return foregroundGroup() === own ? new TerminalJob(own) : null;
}

/**
 * Whether the kernel would discard a TSTP/TTIN/TTOU sent to procctl's group: no parent in the
 * same session outside the group (tmux or docker -t running procctl directly, not a shell).
 */
function ownGroupOrphaned(ownPgid: number): boolean {
  const own = tryReadStat(process.pid);
  const parent = tryReadStat(process.ppid);
  return own === undefined || parent === undefined || parent.sid !== own.sid || parent.pgid === ownPgid;
}

export class TerminalJob {
  readonly #ownPgid: number;
  #child: Subprocess | undefined;
  readonly #stopWatching: () => void;

  constructor(ownPgid: number) {
    this.#ownPgid = ownPgid;
    // Installed before the spawn: a stop that happens before the hand-over is still seen.
    this.#stopWatching = onSignals([SIGCHLD], () => this.#checkStops());
  }

  /** The command exists: give its group the terminal. */
  handOver(child: Subprocess): void {
    this.#child = child;
    // procctl writes to the terminal (errors, --verbose) while in the background: with `stty
    // tostop` SIGTTOU would stop it. Ignored only now, so the command never inherits SIG_IGN.
    native().setSignalDisposition(SIGTTOU, 'ignore');
    this.#give();
    // A command that read the terminal before it got it is stopped by SIGTTIN: resume it.
    this.#checkStops();
  }

  /** procctl got SIGCONT (before it forwards it): in the foreground, the command gets the terminal. */
  continued(): void {
    if (this.#child !== undefined && foregroundGroup() === this.#ownPgid) this.#give();
  }

  /** The command is done: take the terminal back if its group still holds it; stop watching. */
  release(): void {
    this.#stopWatching();
    if (this.#child !== undefined && foregroundGroup() === this.#child.pgid) this.#take();
  }

  #give(): void {
    const child = this.#child!;
    try {
      native().tcsetpgrp(TERMINAL_FD, child.pgid);
    } catch (error) {
      // The command already exited and its group is gone: nothing to hand over.
      if (child.exitResult === null) printError(`warning: cannot give the terminal to the command (${(error as Error).message})`);
    }
  }

  #take(): void {
    try {
      native().tcsetpgrp(TERMINAL_FD, this.#ownPgid);
    } catch (error) {
      printError(`warning: cannot take the terminal back (${(error as Error).message})`);
    }
  }

  #checkStops(): void {
    const child = this.#child;
    if (child === undefined) return;
    for (let event = native().waitJobState(child.pid); event !== null; event = native().waitJobState(child.pid)) {
      if (event.state === 'stopped') this.#commandStopped(event.signal);
    }
  }

  #commandStopped(signal: number): void {
    const child = this.#child!;
    const commandHasTerminal = foregroundGroup() === child.pgid;
    // A foreground group is never stopped for touching its terminal: this stop came before the
    // hand-over, and the terminal is the command's now.
    if (commandHasTerminal && TERMINAL_ACCESS_STOPS.has(signal)) {
      signalGroup(child.pgid, SIGCONT);
      return;
    }
    if (JOB_CONTROL_STOPS.has(signal) && ownGroupOrphaned(this.#ownPgid)) {
      // Nobody could continue procctl (no job-control shell above it): the kernel would discard
      // this stop for procctl's group, so it does not stick for the command's either.
      signalGroup(child.pgid, SIGCONT);
      return;
    }
    if (commandHasTerminal) this.#take();
    // The whole job stops as the command did (Ctrl-Z: SIGTSTP, so the shell says "Stopped").
    // Returns once procctl is continued; the SIGCONT listener then resumes the command.
    signalGroup(this.#ownPgid, JOB_CONTROL_STOPS.has(signal) ? signal : SIGSTOP);
  }
}

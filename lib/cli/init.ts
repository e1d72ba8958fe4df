// procctl init [--kill-after DURATION] [--rewrite SIG:SIG]... [--] COMMAND [ARG...]
//
// A container entrypoint in the manner of tini and dumb-init. As PID 1, or else as a child
// subreaper (warning on stderr when it can be neither), it runs COMMAND in a new session (or,
// when procctl holds the terminal's foreground, in a new group that gets the terminal),
// forwards every signal it receives to COMMAND's process group, reaps every zombie that comes to
// it, and when COMMAND exits stops what is left (SIGTERM, SIGKILL after --kill-after) before
// exiting with COMMAND's status (128+N when a signal N killed it). 125 on its own failures.
//
// Reaping — one path only. waitid(P_ALL) (native reapAny) reaps every child, so it would also
// reap COMMAND under the spawn API's pidfd watcher, which then could never report the exit.
// init therefore starts COMMAND with the native spawn and at once releases the watcher (closing
// the pidfd, not reaping), before the event loop can turn: from then on reapAny is the only
// reaper, and COMMAND's status is picked out of its results by pid. This is safe only because
// init never uses node:child_process (libuv would lose exits reaped under it). reapAny runs on
// every SIGCHLD and, as a backstop, on a short interval.
import { native } from '../native.js';
import { validateSpawnOptions } from '../options.js';
import { toNativeRequest } from '../spawn.js';
import { SIGRTMAX, SIGRTMIN, signalName } from '../signals.js';
import { SpawnError } from '../errors.js';
import { signalDescendants, liveDescendants } from '../supervisor/descendants.js';
import { UsageError, parseCommandLine, parseDuration, parseSignalArg, repeated, single } from './args.js';
import { printError, printOut } from './output.js';
import { constants as osConstants } from 'node:os';
import { isatty } from 'node:tty';
import { setTimeout as sleep } from 'node:timers/promises';

const OWN_FAILURE = 125;
const SIGKILL = 9;
const SIGTERM = 15;
const SIGCHLD = 17;
const SIGCONT = 18;
/** Job-control signals: forwarded, then init stops itself too (as dumb-init does). */
const JOB_CONTROL = new Set([20, 21, 22]); // TSTP, TTIN, TTOU
/**
 * Not forwarded: KILL/STOP cannot be caught, CHLD drives reaping, and the synchronous fault
 * signals (ILL, TRAP, ABRT, BUS, FPE, SEGV, SYS) would mean init itself crashed (as tini skips them).
 */
const NOT_FORWARDED = new Set([4, 5, 6, 7, 8, 9, 11, 17, 19, 31]);
const REAP_INTERVAL_MS = 200;

interface InitConfig {
  help: boolean;
  command: string[];
  killAfterMs: number;
  /** received signal → forwarded signal (0: drop). */
  rewrite: Map<number, number>;
}

const OPTIONS = {
  'kill-after': { type: 'string' },
  rewrite: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `Usage: procctl init [options] [--] COMMAND [ARG...]

Run COMMAND as a container's PID 1 would: in a new session (in a new group that gets the
terminal when procctl is the terminal's foreground), as PID 1 or a child subreaper.
Every signal procctl receives is forwarded to COMMAND's process group (TSTP, TTIN and TTOU are
forwarded, then procctl stops itself); every zombie is reaped. When COMMAND exits, what is left
gets SIGTERM, then SIGKILL after --kill-after; procctl exits with COMMAND's status (128+N if a
signal N killed it), or 125 on its own failure (127/126: COMMAND not found / not executable).

Options:
  --kill-after DURATION   grace between SIGTERM and SIGKILL for leftovers (default 5s)
  --rewrite SIG:SIG       forward the first signal as the second (repeatable); SIG:0 drops it.
                          COMMAND's group is orphaned (own session), so the kernel discards
                          TSTP/TTIN/TTOU sent to it: --rewrite TSTP:STOP makes them stop it
  -h, --help              show this help
`;

function parseRewrite(text: string): [number, number] {
  const match = /^([^:]+):([^:]+)$/.exec(text);
  if (match === null) throw new UsageError(`--rewrite: expected SIG:SIG (e.g. TERM:INT, or TERM:0 to drop); got '${text}'`);
  const to = match[2] === '0' ? 0 : parseSignalArg(match[2]!, '--rewrite');
  return [parseSignalArg(match[1]!, '--rewrite'), to];
}

function parseInitArgs(argv: string[]): InitConfig {
  const line = parseCommandLine(argv, OPTIONS, { command: true });
  if (line.values.help === true) return { help: true, command: [], killAfterMs: 0, rewrite: new Map() };
  if (line.command.length === 0) throw new UsageError('init: missing COMMAND; usage: procctl init [options] [--] COMMAND [ARG...]');
  const killAfter = single(line.values['kill-after']);
  return {
    help: false,
    command: line.command,
    killAfterMs: killAfter === undefined ? 5000 : parseDuration(killAfter, '--kill-after'),
    rewrite: new Map(repeated(line.values.rewrite).map(parseRewrite)),
  };
}

/** PID 1 reaps by nature; otherwise become a subreaper, or warn that orphans will escape. */
function becomeReaper(): boolean {
  if (process.pid === 1) return true;
  try {
    native().setChildSubreaper(true);
    return true;
  } catch (error) {
    printError(`warning: not PID 1 and cannot become a child subreaper (${(error as Error).message}); orphans will not be reaped`);
    return false;
  }
}

/**
 * The terminal on stdin, when procctl is in its foreground. Then COMMAND gets a new group in
 * procctl's session and the terminal's foreground (as tini does), so an interactive COMMAND keeps
 * its controlling terminal and job control; otherwise COMMAND gets a new session.
 */
function ownsForegroundTerminal(): boolean {
  if (!isatty(0)) return false;
  try {
    return native().tcgetpgrp(0) === native().getpgid(0);
  } catch {
    return false;
  }
}

/** Hand the terminal's foreground to COMMAND's group, and continue it if it read too early. */
function giveTerminal(pgid: number): void {
  try {
    native().tcsetpgrp(0, pgid);
  } catch (error) {
    printError(`warning: cannot give the terminal to the command (${(error as Error).message})`);
  }
  signalGroupQuietly(pgid, SIGCONT);
}

/** Start COMMAND with init's stdio, and hand its reaping over to reapAny. */
function startCommand(command: string[], terminal: boolean): number {
  const [file, ...args] = command as [string, ...string[]];
  const grouping = terminal ? { group: 'new' as const } : { session: true };
  const plan = validateSpawnOptions(file, args, { ...grouping, stdio: [0, 1, 2] });
  let spawned;
  try {
    spawned = native().spawn(toNativeRequest(plan, [0, 1, 2]), () => undefined, false);
  } catch (error) {
    throw new SpawnError(error as Error, plan.file, plan.args);
  }
  // Synchronously, before the loop turns: the watcher never runs, reapAny alone reaps.
  native().release(spawned.id);
  if (terminal) giveTerminal(spawned.pid);
  return spawned.pid;
}

/** Exit status of init for COMMAND's end: its code, or 128+N. */
function statusOf(code: number | null, signal: number): number {
  return code ?? 128 + signal;
}

function signalGroupQuietly(pgid: number, sig: number): void {
  try {
    native().killpg(pgid, sig);
  } catch {
    // ESRCH: the group is empty
  }
}

class Init {
  readonly #config: InitConfig;
  readonly #reaper: boolean;
  #commandPid = 0;
  #commandStatus: number | null = null;
  #commandExited!: () => void;
  readonly #exited = new Promise<void>((resolve) => {
    this.#commandExited = resolve;
  });
  readonly #pending: number[] = [];
  readonly #handlers = new Map<string, () => void>();
  #timer: NodeJS.Timeout | undefined;
  /** The group already got SIGTERM from us: the leftovers are stopping, do not run their handlers twice. */
  #termForwarded = false;

  constructor(config: InitConfig, reaper: boolean) {
    this.#config = config;
    this.#reaper = reaper;
  }

  async run(): Promise<number> {
    this.#installHandlers();
    this.#timer = setInterval(() => this.#reap(), REAP_INTERVAL_MS);
    try {
      this.#commandPid = startCommand(this.#config.command, ownsForegroundTerminal());
      for (const sig of this.#pending.splice(0)) this.#forward(sig);
      this.#reap();
      await this.#exited;
      await this.#stopLeftovers();
      return this.#commandStatus!;
    } finally {
      clearInterval(this.#timer);
      for (const [name, handler] of this.#handlers) process.off(name as NodeJS.Signals, handler);
      native().unwatchSignals();
    }
  }

  /** Reap every exited child; pick COMMAND's status out by pid. */
  #reap(): void {
    for (const exit of native().reapAny()) {
      if (exit.pid === this.#commandPid && this.#commandStatus === null) {
        this.#commandStatus = statusOf(exit.code, exit.signal);
        this.#commandExited();
      }
    }
  }

  #installHandlers(): void {
    // Node can listen for the standard signals only (not realtime ones); aliases collapse here.
    for (const signo of new Set(Object.values(osConstants.signals))) {
      if (NOT_FORWARDED.has(signo) && signo !== SIGCHLD) continue;
      const handler = signo === SIGCHLD ? () => this.#reap() : () => this.#received(signo);
      this.#handlers.set(signalName(signo), handler);
      process.on(signalName(signo) as NodeJS.Signals, handler);
    }
    // Realtime signals: Node cannot listen for them, so the addon watches them on the loop. (Left
    // at SIG_DFL, one would also terminate init.)
    const realtime: number[] = [];
    for (let signo = SIGRTMIN; signo <= SIGRTMAX; signo++) realtime.push(signo);
    native().watchSignals(realtime, (signo) => this.#received(signo));
  }

  #received(signo: number): void {
    if (this.#commandPid === 0) this.#pending.push(signo);
    else this.#forward(signo);
  }

  #forward(signo: number): void {
    const target = this.#config.rewrite.get(signo) ?? signo;
    if (target !== 0 && this.#commandStatus === null) {
      signalGroupQuietly(this.#commandPid, target);
      if (target === SIGTERM) this.#termForwarded = true;
    }
    // A job-control stop reaches the command; init stops too, so the shell above sees it stop.
    if (JOB_CONTROL.has(signo) && target !== 0) process.kill(process.pid, 'SIGSTOP');
  }

  /** What COMMAND left behind: TERM, up to --kill-after for it to go, then KILL; done when empty. */
  async #stopLeftovers(): Promise<void> {
    const pgid = this.#commandPid;
    if (!this.#hasLeftovers(pgid)) return;
    // A forwarded SIGTERM already reached the group: do not run its handlers a second time.
    this.#signalLeftovers(SIGTERM, !this.#termForwarded);
    this.#signalLeftovers(SIGCONT, true);
    if (await this.#waitEmpty(pgid, this.#config.killAfterMs)) return;
    this.#signalLeftovers(SIGKILL, true);
    await this.#waitEmpty(pgid, Infinity);
  }

  /** sig to COMMAND's group (when `group`) and, as a reaper, to every descendant outside it. */
  #signalLeftovers(sig: number, group: boolean): void {
    if (group) signalGroupQuietly(this.#commandPid, sig);
    if (this.#reaper) signalDescendants(sig, process.pid, this.#commandPid);
  }

  #hasLeftovers(pgid: number): boolean {
    this.#reap();
    if (this.#reaper && liveDescendants().length > 0) return true;
    try {
      native().killpg(pgid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async #waitEmpty(pgid: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.#hasLeftovers(pgid)) {
      if (Date.now() >= deadline) return false;
      await sleep(10);
    }
    return true;
  }
}

function failureStatus(error: unknown): number {
  if (SpawnError.is(error) && error.stage === 'exec') return error.code === 'ENOENT' ? 127 : 126;
  return OWN_FAILURE;
}

export async function main(argv: string[]): Promise<number> {
  let config: InitConfig;
  try {
    config = parseInitArgs(argv);
  } catch (error) {
    printError((error as Error).message);
    return OWN_FAILURE;
  }
  if (config.help) {
    printOut(USAGE);
    return 0;
  }
  const reaper = becomeReaper();
  try {
    return await new Init(config, reaper).run();
  } catch (error) {
    printError((error as Error).message);
    return failureStatus(error);
  }
}

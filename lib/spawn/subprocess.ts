// A running child: its streams, its exit (observed through the pidfd, never through pipe EOF),
// and the ways to stop it — the process alone, or its whole process group.
//
// Reaping rule (race-free group kill). A child that leads its own group is spawned with
// hold=true: the exit watcher observes its exit with WNOWAIT and leaves it a zombie. As long as
// the zombie exists its pid, which is also the pgid, cannot be handed to a new process, so a
// killpg(pgid) can only ever reach the intended group. The zombie is reaped
//   - right after the exit callback, when no group sweep (terminate, timeout, abort) is running,
//     or when the running sweeps reach the group through the leader's pidfd (below);
//   - otherwise when the last running sweep has found the group empty.
// Where the kernel signals a group through a pidfd (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9), a
// sweep that starts before the reap keeps a copy of the child's pidfd until the last sweep ends
// and signals, probes and waits through it (group/kill.ts processGroup): the kernel reaches the
// group the child led, by its pid object, never a later group with the same number, so the leader
// need not be held, and the sweep learns that the group is empty when the probe finds no process
// at all, without a pass over /proc.
// After the reap, the group is still ours exactly while no process has pid = pgid: the kernel
// never hands out a pid that is still in use as a pgid, so once a live process (or thread) with
// that pid exists, the old group is gone and the number belongs to someone else. Every group
// operation after the reap (that has no such pidfd) checks that first and, once the group is
// known gone, never signals that pgid again. What remains is the microseconds between that check
// and the killpg, which is why every stop procctl itself starts is a sweep over a held leader or
// through its pidfd.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { native, type NativeExit } from '../native.js';
import { SIGKILL, parseSignal } from '../signals.js';
import { toExitResult, type ExitResult } from '../exit.js';
import { processGroup, signalLiveGroup } from '../group/kill.js';
import { stopMembers, type Membership } from '../group/stop.js';
import { isGroupEmpty } from '../group/members.js';
import type { SignalLike, StdioOption, StdioStreamOf } from '../options.js';
import { MAX_TIMER_MS, checkMilliseconds, echo } from '../validate.js';
import type { StdioStream } from './stdio.js';
import { readLines, type LinesOptions } from './lines.js';

export interface TerminateOptions {
  /**
   * First signal.
   * @default 'SIGTERM'
   */
  signal?: SignalLike;
  /**
   * Milliseconds before SIGKILL; Infinity: never escalate.
   * @default 5000
   */
  grace?: number;
  /**
   * Stop the whole group, not only the process.
   * @default true, unless the child shares this process's group
   */
  group?: boolean;
}

/** How a stop started by the child's own limits is done: timeout and abort use it. */
export interface StopPolicy {
  timeout: number;
  killSignal: number;
  killAfter: number;
  abortSignal: AbortSignal | null;
}

/** What spawn() hands over once the native spawn succeeded. Not public. */
export interface SubprocessInit {
  id: number;
  pid: number;
  pgid: number;
  /** The child is in this process's own group: group operations would hit us too. */
  sharesCallerGroup: boolean;
  file: string;
  args: string[];
  startedAt: number;
  streams: StdioStream[];
  stdioCount: number;
  stop: StopPolicy;
}

/** Internal hooks for spawn() and exec() (not exported from the package): the exit callback,
 * the pipe fds (to name their holders) and the running stops. */
export const internals = Symbol('procctl.subprocess.internals');

export interface SubprocessInternals {
  streams: StdioStream[];
  /** Resolves when every stop started so far has finished (the group is empty). */
  stopsSettled(): Promise<void>;
  /** Stop the group with the child's killSignal/killAfter policy (maxBuffer uses it). */
  stopWithPolicy(): void;
  /** The exit watcher's callback (spawn() routes it here). */
  handleExit(exit: NativeExit): void;
}

export interface SubprocessEvents {
  spawn: [];
  exit: [code: number | null, signal: string | null];
  error: [error: Error];
}

/**
 * A started child. `Stdio` is the stdio option it was spawned with: where that option makes fd 0,
 * 1 or 2 a pipe, stdin/stdout/stderr are typed as streams, where it cannot, as null.
 */
export class Subprocess<Stdio = StdioOption | undefined> extends EventEmitter<SubprocessEvents> {
  /** The child's process id. */
  readonly pid: number;
  /** The child's process group id (its pid unless it joined or inherited a group). */
  readonly pgid: number;
  /** The file as given to spawn(). */
  readonly file: string;
  /** The arguments as given to spawn(). */
  readonly args: readonly string[];
  /** The parent's end of the pipe on the child's fd 0 (null unless stdio[0] is 'pipe'). */
  readonly stdin: StdioStreamOf<Stdio, 0, Writable>;
  /** The parent's end of the pipe on the child's fd 1 (null unless stdio[1] is 'pipe'). */
  readonly stdout: StdioStreamOf<Stdio, 1, Readable>;
  /** The parent's end of the pipe on the child's fd 2 (null unless stdio[2] is 'pipe'). */
  readonly stderr: StdioStreamOf<Stdio, 2, Readable>;
  /** stdio[i] is the parent's end of the pipe on child fd i, or null. */
  readonly stdio: ReadonlyArray<Socket | null>;
  /** Resolves once, when the process has exited (not when its pipes close). Never rejects. */
  readonly exited: Promise<ExitResult>;
  #exitResult: ExitResult | null = null;
  #timedOut = false;
  #aborted = false;
  #killedByGroup = false;

  readonly #id: number;
  readonly #sharesCallerGroup: boolean;
  readonly #startedAt: number;
  readonly #stop: StopPolicy;
  readonly #streams: StdioStream[];
  #resolveExited!: (result: ExitResult) => void;
  #held = false;
  #sweeps = 0;
  /** A copy of the child's pidfd the running sweeps reach the group through (see the reaping rule), else -1. */
  #groupPidfd = -1;
  #stops: Array<Promise<unknown>> = [];
  #timer: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;
  #refed = true;
  /** The group is known to be gone (emptied after the reap, or its number reused). */
  #groupGone = false;

  /** Created by spawn(); not meant to be constructed directly. */
  constructor(init: SubprocessInit) {
    super();
    this.pid = init.pid;
    this.pgid = init.pgid;
    this.file = init.file;
    this.args = init.args;
    this.#id = init.id;
    this.#sharesCallerGroup = init.sharesCallerGroup;
    this.#startedAt = init.startedAt;
    this.#stop = init.stop;
    this.#streams = init.streams;
    const stdio: Array<Socket | null> = Array.from({ length: init.stdioCount }, () => null);
    for (const { childFd, stream } of init.streams) stdio[childFd] = stream;
    this.stdio = stdio;
    this.stdin = (stdio[0] ?? null) as StdioStreamOf<Stdio, 0, Writable>;
    this.stdout = (stdio[1] ?? null) as StdioStreamOf<Stdio, 1, Readable>;
    this.stderr = (stdio[2] ?? null) as StdioStreamOf<Stdio, 2, Readable>;
    this.exited = new Promise((resolve) => {
      this.#resolveExited = resolve;
    });
    this.#armLimits();
    process.nextTick(() => this.emit('spawn'));
  }

  /** The exit result once observed, else null. */
  get exitResult(): ExitResult | null {
    return this.#exitResult;
  }

  /** The timeout expired (and the group was told to stop). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** The AbortSignal fired (and the group was told to stop). */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** procctl signalled the group (killGroup, terminate, timeout, abort, maxBuffer). */
  get killedByGroup(): boolean {
    return this.#killedByGroup;
  }

  /** Called by the exit watcher, once. */
  #handleExit(exit: NativeExit): void {
    const result = toExitResult(exit, this.#startedAt);
    this.#exitResult = result;
    this.#held = exit.held;
    this.#disarmLimits();
    this.#reapUnlessHeldForSweep();
    this.emit('exit', result.code, result.signal);
    this.#resolveExited(result);
  }

  /**
   * The child's output line by line: `for await (const line of child.lines())`. Reads stdout by
   * default, stderr with {from: 'stderr'}, both interleaved with {from: 'all'}. '\r\n' counts as a
   * newline and a last line without one is included. The streams are paused while lines wait to
   * be read, so the child is held back instead of this process buffering its output. Breaking
   * out of the loop drops the rest of the output (the child is never left blocked).
   * Throws TypeError when the stream asked for is not a pipe.
   */
  lines(options: LinesOptions = {}): AsyncGenerator<string, void, undefined> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`lines() options must be an object; got ${echo(options)}`);
    const from = options.from ?? 'stdout';
    if (from !== 'stdout' && from !== 'stderr' && from !== 'all') {
      throw new TypeError(`lines() from must be 'stdout', 'stderr' or 'all'; got ${echo(from)}`);
    }
    const encoding = options.encoding ?? 'utf8';
    if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)) {
      throw new TypeError(`lines() encoding must be a Buffer encoding such as 'utf8'; got ${echo(encoding)}`);
    }
    const wanted = from === 'all' ? [1, 2] : [from === 'stdout' ? 1 : 2];
    const streams = wanted.map((fd) => {
      const stream = this.stdio[fd];
      if (stream === null || stream === undefined) {
        throw new TypeError(`lines() from '${from}': the child's ${fd === 1 ? 'stdout' : 'stderr'} is not a pipe (stdio[${fd}] must be 'pipe')`);
      }
      return stream;
    });
    return readLines(streams, encoding);
  }

  /** Signal the process alone, through its pidfd. false when it has already exited. */
  kill(sig: SignalLike = 'SIGTERM'): boolean {
    const signo = parseSignal(sig, 'signal', true);
    if (this.#exitResult !== null) return false;
    return native().signal(this.#id, signo);
  }

  /** Signal the child's whole process group. false when the group has no member left. */
  killGroup(sig: SignalLike = 'SIGTERM'): boolean {
    const signo = parseSignal(sig, 'signal', true);
    this.#refuseCallerGroup('killGroup()');
    if (!this.#groupStillOurs()) return false;
    // While its exit is not observed, the child itself answers for the group (two system calls).
    const memberLive = this.#exitResult === null && native().liveInGroup(this.#id, this.pgid);
    const delivered = signalLiveGroup(this.pgid, signo, memberLive, this.#groupPidfd);
    if (delivered && signo !== 0) this.#killedByGroup = true;
    if (!delivered && this.#isReaped()) this.#groupGone = true;
    return delivered;
  }

  /**
   * Stop the child: `signal` to the group, wait up to `grace` ms, SIGKILL the group, and resolve
   * when the group is empty (not merely when the leader exited). With group: false the same is
   * done to the process alone. Resolves with the leader's exit result.
   */
  terminate(options: TerminateOptions = {}): Promise<ExitResult> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`terminate() options must be an object; got ${echo(options)}`);
    }
    const signo = parseSignal(options.signal ?? 'SIGTERM', 'signal');
    const grace = checkMilliseconds(options.grace, 'grace', 5000, true);
    if (options.group !== undefined && typeof options.group !== 'boolean') {
      throw new TypeError(`group must be true or false; got ${echo(options.group)}`);
    }
    const group = options.group ?? !this.#sharesCallerGroup;
    if (group) this.#refuseCallerGroup('terminate({group: true})');
    const stop = group ? this.#sweep(signo, grace) : this.#stopProcess(signo, grace);
    this.#stops.push(stop.catch(() => undefined));
    return stop;
  }

  /** Keep the event loop alive until the child exits (the default). */
  ref(): this {
    this.#setRef(true);
    return this;
  }

  /** Let Node exit while the child runs (its streams and timers are unref'd too). */
  unref(): this {
    this.#setRef(false);
    return this;
  }

  get [internals](): SubprocessInternals {
    return {
      streams: this.#streams,
      stopsSettled: async () => {
        // A stop may start another (abort during a timeout sweep): wait until none is added.
        for (let seen = 0; seen < this.#stops.length; seen = this.#stops.length) await Promise.all(this.#stops);
      },
      stopWithPolicy: () => this.#stopWithPolicy(),
      handleExit: (exit) => this.#handleExit(exit),
    };
  }

  #refuseCallerGroup(what: string): void {
    if (this.#sharesCallerGroup) {
      throw new Error(`${what}: the child is in this process's own group (${this.pgid}); signalling it would stop this process too. Use kill() or spawn with group: 'new'.`);
    }
  }

  async #sweep(signo: number, grace: number): Promise<ExitResult> {
    this.#sweeps++;
    try {
      // The first sweep over a leader not yet reaped reaches its group through the pidfd where the
      // kernel can; a held leader is then reaped at once (see the reaping rule at the top).
      if (this.#sweeps === 1 && this.pid === this.pgid && !this.#isReaped()) this.#groupPidfd = native().groupPidfd(this.#id);
      this.#reapUnlessHeldForSweep();
      // Once the leader is reaped its pid may be reused; if nobody is left, there is nothing to signal.
      if (this.#groupStillOurs() && !(this.#isReaped() && this.#groupPidfd < 0 && isGroupEmpty(this.pgid))) {
        this.#killedByGroup = true;
        // While the leader is alive the group is not empty: its exit event, not /proc, says when to look.
        const leader = this.pid === this.pgid && this.#exitResult === null ? { pid: this.pid, exited: this.exited } : undefined;
        await stopMembers(processGroup(this.pgid, leader, this.#groupPidfd), signo, grace);
      }
      // A leader that moved to another group (setsid, setpgid) is stopped on its own.
      if (this.#exitResult === null) await this.#stopProcess(SIGKILL, 0);
    } finally {
      if (--this.#sweeps === 0 && this.#groupPidfd >= 0) {
        const pidfd = this.#groupPidfd;
        this.#groupPidfd = -1;
        native().closeGroupPidfd(pidfd);
      }
      this.#reapUnlessHeldForSweep();
    }
    return this.exited;
  }

  /** The process alone, stopped as the group is (group/stop.ts) but without SIGCONT (timeout --foreground). */
  async #stopProcess(signo: number, grace: number): Promise<ExitResult> {
    await stopMembers(this.#alone(), signo, grace);
    return this.exited;
  }

  /** The child alone as a stop's membership: its pidfd, and its exit event. */
  #alone(): Membership {
    const exited = (): boolean => this.#exitResult !== null;
    return {
      signal: (signo) => this.kill(signo),
      kill: () => void this.kill(SIGKILL),
      waitEmpty: async (timeoutMs) => {
        if (exited() || timeoutMs === Infinity) return this.exited.then(() => true);
        if (timeoutMs <= 0) return false;
        // Infinity never escalates (above); a finite grace is capped as setTimeout caps it.
        const abort = new AbortController();
        const timer = sleep(Math.min(timeoutMs, MAX_TIMER_MS), false, { signal: abort.signal, ref: this.#refed }).catch(() => false);
        const empty = await Promise.race([this.exited.then(() => true), timer]);
        abort.abort();
        return empty;
      },
      resume: false,
    };
  }

  /**
   * Whether a group signal (killpg(this.pgid), or through #groupPidfd) can only reach the child's
   * own group (see the reaping rule at the top). A group the child joined (group: <pgid>) is the
   * caller's to vouch for.
   */
  #groupStillOurs(): boolean {
    if (this.#groupGone) return false;
    if (this.#groupPidfd >= 0) return true; // signals through it reach no other group
    if (this.pgid !== this.pid || !this.#isReaped()) return true;
    if (existsSync(`/proc/${this.pgid}`)) this.#groupGone = true;
    return !this.#groupGone;
  }

  #isReaped(): boolean {
    return this.#exitResult !== null && !this.#held;
  }

  /** Reap a held leader unless a running sweep relies on the zombie (one without the group pidfd). */
  #reapUnlessHeldForSweep(): void {
    if (this.#held && (this.#sweeps === 0 || this.#groupPidfd >= 0)) {
      this.#held = false;
      native().reap(this.#id);
    }
  }

  #stopWithPolicy(): void {
    const { killSignal, killAfter } = this.#stop;
    // A stop nobody asked for explicitly must not crash a program that never listened for
    // 'error': without a listener the failure becomes a process warning instead.
    this.terminate({ signal: killSignal, grace: killAfter }).catch((error: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      else process.emitWarning(error);
    });
  }

  #armLimits(): void {
    const { timeout, abortSignal } = this.#stop;
    if (timeout > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#stopWithPolicy();
      }, timeout);
    }
    if (abortSignal !== null) {
      this.#onAbort = () => {
        this.#aborted = true;
        this.#stopWithPolicy();
      };
      abortSignal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** The leader exited: limits no longer apply (a stop already running carries on). */
  #disarmLimits(): void {
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#stop.abortSignal?.removeEventListener('abort', this.#onAbort);
  }

  #setRef(ref: boolean): void {
    this.#refed = ref;
    if (this.#exitResult === null) native().setRef(this.#id, ref);
    if (ref) this.#timer?.ref();
    else this.#timer?.unref();
    for (const { stream } of this.#streams) {
      if (ref) stream.ref();
      else stream.unref();
    }
  }
}

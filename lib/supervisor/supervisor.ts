// Supervisor: named children with restart policies, exponential backoff, restart intensity,
// ordered start, reverse-ordered graceful stop, signal forwarding and containment.
//
// Life of a child: start → (exit → restart after backoff)* → stopped | exited | failed.
// A child's exit is taken when everything it contained is gone (containment.ts), so a restart
// never overlaps leftovers of the previous run. Every restart, whichever child it is for, counts
// against one intensity window (as in OTP); exceeding it makes the supervisor give up: it stops
// every child and reports why.
import { EventEmitter } from 'node:events';
import { assertSupportedPlatform } from '../platform.js';
import type { ExitResult, Rusage } from '../exit.js';
import type { Subprocess } from '../spawn/subprocess.js';
import type { SignalLike } from '../options.js';
import { isSuccess } from '../exit.js';
import { SHUTDOWN, parseSignal, signalName } from '../signals.js';
import { onSignals } from '../signal-listeners.js';
import { backoffDelay } from './backoff.js';
import { RestartWindow } from './intensity.js';
import { startOrder } from './order.js';
import { startContained } from './containment.js';
import type { ContainContext, Contained } from './contained.js';
import { resolveReaperPath } from './reaper-client.js';
import { resolveCgroupParent } from './cgroup.js';
import {
  validateSupervisorOptions, type ContainMode, type NormalizedChild, type NormalizedOptions, type SupervisorOptions,
} from './spec.js';

export type { ChildSpec, SupervisorOptions, RestartPolicy, ContainMode } from './spec.js';
export type { Backoff } from './backoff.js';
export type { Intensity } from './intensity.js';

export type ChildState = 'idle' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'exited' | 'failed';
export type SupervisorState = 'idle' | 'running' | 'stopping' | 'stopped';

export interface ChildStatus {
  name: string;
  state: ChildState;
  contain: ContainMode;
  /** The supervised process (for 'reaper': the reaper, whose child is the command). */
  pid: number | null;
  pgid: number | null;
  restarts: number;
  lastExit: ExitResult | null;
  /** Milliseconds since the current run started, null when not running. */
  uptimeMs: number | null;
  /** Resource usage of the last finished run (for 'reaper': the whole tree's). */
  rusage: Rusage | null;
  /** The last spawn failure, when a start or restart could not even create the process. */
  lastError: Error | null;
}

export interface StartEvent {
  name: string;
  pid: number;
  pgid: number;
  restarts: number;
  /** The supervised process (its stdout/stderr are there when the child's stdio asks for pipes). */
  process: Subprocess;
}
export interface ExitEvent extends ExitResult { name: string; willRestart: boolean }
export interface RestartEvent { name: string; restarts: number; attempt: number; delayMs: number }
export interface GiveUpEvent { name: string; reason: string }
export interface StopEvent {
  /** stop() was called; a forwarded TERM/INT arrived; the intensity was exceeded; every child ended for good. */
  reason: 'requested' | 'signal' | 'giveup' | 'done';
  /** The signal the stop used instead of each child's stopSignal, if any. */
  signal: string | null;
  giveUp: GiveUpEvent | null;
}

export interface SupervisorEvents {
  start: [StartEvent];
  exit: [ExitEvent];
  restart: [RestartEvent];
  giveup: [GiveUpEvent];
  stop: [StopEvent];
}

interface Slot {
  spec: NormalizedChild;
  state: ChildState;
  current: Contained | null;
  restarts: number;
  /** Consecutive quick failures, for the backoff exponent. */
  attempt: number;
  startedAt: number | null;
  lastExit: ExitResult | null;
  lastError: Error | null;
  timer: NodeJS.Timeout | null;
}

function shouldRestart(slot: Slot, exit: ExitResult): boolean {
  switch (slot.spec.restart) {
    case 'always':
      return true;
    case 'on-failure':
      return !isSuccess(exit);
    case 'never':
      return false;
  }
}

/** What a run that could not even spawn counts as: a failure, as a shell reports it. */
function spawnFailureExit(): ExitResult {
  const rusage: Rusage = {
    userCpuMs: 0, systemCpuMs: 0, maxRssKb: 0, minorFaults: 0, majorFaults: 0,
    voluntaryContextSwitches: 0, involuntaryContextSwitches: 0, inBlocks: 0, outBlocks: 0,
  };
  return { code: 127, signal: null, coreDumped: false, rusage, durationMs: 0 };
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  /** Resolves once every child has stopped after stop() or a give-up. Never rejects. */
  readonly stopped: Promise<StopEvent>;

  readonly #options: NormalizedOptions;
  readonly #context: ContainContext;
  readonly #order: string[];
  readonly #slots = new Map<string, Slot>();
  readonly #window: RestartWindow;
  #state: SupervisorState = 'idle';
  #stopping: Promise<StopEvent> | undefined;
  #resolveStopped!: (event: StopEvent) => void;
  #removeSignalHandlers: () => void = () => {};

  constructor(options: SupervisorOptions) {
    super();
    assertSupportedPlatform();
    this.#options = validateSupervisorOptions(options);
    this.#order = startOrder(this.#options.children);
    const contains = new Set(this.#options.children.map((c) => c.contain));
    // Resolved now so that a missing reaper or cgroup fails the constructor, before any start.
    this.#context = {
      reaperPath: contains.has('reaper') ? resolveReaperPath(this.#options.reaperPath) : null,
      cgroupParent: contains.has('cgroup') ? resolveCgroupParent(this.#options.cgroupParent) : null,
    };
    this.#window = new RestartWindow(this.#options.intensity);
    for (const spec of this.#options.children) {
      this.#slots.set(spec.name, {
        spec, state: 'idle', current: null, restarts: 0, attempt: 0, startedAt: null, lastExit: null, lastError: null, timer: null,
      });
    }
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /**
   * Start every child in order (dependencies first). If one cannot be spawned, the ones already
   * started are stopped again and the spawn error is thrown.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`Supervisor.start(): already ${this.#state}`);
    this.#state = 'running';
    this.#installSignalHandlers();
    for (const name of this.#order) {
      const slot = this.#slots.get(name)!;
      try {
        this.#launch(slot);
      } catch (error) {
        slot.lastError = error as Error;
        slot.state = 'failed';
        await this.stop();
        throw error;
      }
    }
  }

  /**
   * Stop every child: reverse start order, one at a time (or all at once with parallelStop);
   * each gets `signal` (default: its stopSignal), then SIGKILL after its stopTimeout. Resolves
   * when everything every child contained is gone.
   */
  stop(signal?: SignalLike): Promise<StopEvent> {
    const signo = signal === undefined ? null : parseSignal(signal, 'signal');
    return this.#stop({ reason: 'requested', signal: signo === null ? null : signalName(signo), giveUp: null }, signo);
  }

  /** A snapshot of every child, in start order. */
  status(): ChildStatus[] {
    const now = performance.now();
    return this.#order.map((name) => {
      const slot = this.#slots.get(name)!;
      const proc = slot.current?.process ?? null;
      return {
        name,
        state: slot.state,
        contain: slot.spec.contain,
        pid: proc?.pid ?? null,
        pgid: proc?.pgid ?? null,
        restarts: slot.restarts,
        lastExit: slot.lastExit,
        uptimeMs: slot.state === 'running' && slot.startedAt !== null ? now - slot.startedAt : null,
        rusage: slot.lastExit?.rusage ?? null,
        lastError: slot.lastError,
      };
    });
  }

  /** Send a signal to every running child's containment (its group, subtree or cgroup). */
  signal(sig: SignalLike): void {
    const signo = parseSignal(sig, 'signal');
    for (const slot of this.#slots.values()) if (slot.state === 'running') slot.current?.signal(signo);
  }

  #launch(slot: Slot): void {
    const contained = startContained(slot.spec, this.#context);
    slot.current = contained;
    slot.state = 'running';
    slot.startedAt = performance.now();
    slot.lastError = null;
    const { pid, pgid } = contained.process;
    contained.finished.then(
      (exit) => this.#onFinished(slot, contained, exit),
      // A cleanup step failed (say, the cgroup could not be removed): the run is over all the same.
      (error: Error) => {
        slot.lastError = error;
        this.#onFinished(slot, contained, contained.process.exitResult ?? spawnFailureExit());
      },
    );
    this.emit('start', { name: slot.spec.name, pid, pgid, restarts: slot.restarts, process: contained.process });
  }

  #onFinished(slot: Slot, contained: Contained, exit: ExitResult): void {
    if (slot.current !== contained) return;
    const ranMs = slot.startedAt === null ? 0 : performance.now() - slot.startedAt;
    slot.current = null;
    slot.startedAt = null;
    if (this.#state !== 'running' || slot.state === 'stopping') {
      slot.lastExit = exit;
      slot.state = 'stopped';
      this.emit('exit', { name: slot.spec.name, ...exit, willRestart: false });
      return;
    }
    this.#afterExit(slot, exit, ranMs);
  }

  /** Apply the restart policy and the intensity to a run that ended while the supervisor runs. */
  #afterExit(slot: Slot, exit: ExitResult, ranMs: number): void {
    slot.lastExit = exit;
    const wanted = shouldRestart(slot, exit);
    // Every restart counts against the intensity window; one too many and the supervisor gives up.
    const admitted = wanted && this.#window.admit(Date.now());
    slot.state = admitted ? 'backoff' : isSuccess(exit) ? 'exited' : 'failed';
    this.emit('exit', { name: slot.spec.name, ...exit, willRestart: admitted });
    if (admitted) this.#scheduleRestart(slot, ranMs);
    else if (wanted) this.#giveUp({ name: slot.spec.name, reason: `child "${slot.spec.name}" needed ${this.#window.describe()}` });
    else if (this.#allEnded()) void this.#stop({ reason: 'done', signal: null, giveUp: null }, null);
  }

  /** Every child ended for good (exited or failed, none running or waiting to restart). */
  #allEnded(): boolean {
    for (const slot of this.#slots.values()) if (slot.state !== 'exited' && slot.state !== 'failed') return false;
    return true;
  }

  #scheduleRestart(slot: Slot, ranMs: number): void {
    // A run that lasted at least the longest delay was healthy: start counting from scratch.
    slot.attempt = ranMs >= slot.spec.backoff.maxMs ? 1 : slot.attempt + 1;
    const delayMs = backoffDelay(slot.spec.backoff, slot.attempt);
    slot.restarts++;
    this.emit('restart', { name: slot.spec.name, restarts: slot.restarts, attempt: slot.attempt, delayMs });
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (this.#state !== 'running') return;
      try {
        this.#launch(slot);
      } catch (error) {
        // The process could not even be created: a failed run, as a shell would report it.
        slot.lastError = error as Error;
        this.#afterExit(slot, spawnFailureExit(), 0);
      }
    }, delayMs);
  }

  #giveUp(event: GiveUpEvent): void {
    this.emit('giveup', event);
    void this.#stop({ reason: 'giveup', signal: null, giveUp: event }, null);
  }

  #stop(event: StopEvent, signo: number | null): Promise<StopEvent> {
    if (this.#stopping !== undefined) return this.#stopping;
    this.#state = 'stopping';
    this.#stopping = this.#stopAll(signo).then(() => {
      this.#state = 'stopped';
      this.#removeSignalHandlers();
      this.emit('stop', event);
      this.#resolveStopped(event);
      return event;
    });
    return this.#stopping;
  }

  async #stopAll(signo: number | null): Promise<void> {
    const reverse = [...this.#order].reverse().map((name) => this.#slots.get(name)!);
    for (const slot of reverse) {
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.timer = null;
      if (slot.state === 'backoff' || slot.state === 'idle') slot.state = 'stopped';
    }
    if (this.#options.parallelStop) await Promise.all(reverse.map((slot) => this.#stopChild(slot, signo)));
    else for (const slot of reverse) await this.#stopChild(slot, signo);
  }

  async #stopChild(slot: Slot, signo: number | null): Promise<void> {
    const contained = slot.current;
    if (contained === null) return;
    slot.state = 'stopping';
    await contained.stop(signo ?? slot.spec.stopSignal, slot.spec.stopTimeout);
    await contained.finished;
  }

  /** TERM and INT stop everything; other listed signals are forwarded to every running child. */
  #installSignalHandlers(): void {
    this.#removeSignalHandlers = onSignals(this.#options.forwardSignals, (signo, name) => {
      if (SHUTDOWN.has(signo)) void this.#stop({ reason: 'signal', signal: name, giveUp: null }, signo);
      else this.signal(signo);
    });
  }
}

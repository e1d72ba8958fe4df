// What every containment mode hands the supervisor (the interface containment.ts, reaper-client.ts
// and cgroup-containment.ts implement), apart from the modes themselves so that they import it
// without importing each other.
import type { ExitResult } from '../exit.js';
import type { Subprocess } from '../spawn/subprocess.js';

/** A running supervised child, whatever its containment. */
export interface Contained {
  /** The supervised process: the command itself, or its reaper (procctl-init). */
  readonly process: Subprocess;
  /** Resolves once the child and everything it contained are gone, with the command's exit. */
  readonly finished: Promise<ExitResult>;
  /** Send a signal to everything contained (the forwarding path). */
  signal(sig: number): void;
  /** Graceful stop: sig, up to graceMs, then SIGKILL; resolves when nothing contained is left. */
  stop(sig: number, graceMs: number): Promise<ExitResult>;
}

/** Settings of the supervisor that containments need. */
export interface ContainContext {
  /** Resolved procctl-init path (only needed by 'reaper' children). */
  reaperPath: string | null;
  /** Resolved cgroup parent (only needed by 'cgroup' children). */
  cgroupParent: string | null;
}

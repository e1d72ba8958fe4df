// Restart delay: exponential backoff with subtractive jitter. The delay for attempt n (1-based) is
// min(maxMs, initialMs * factor^(n-1)), then shortened by up to `jitter` of itself at random, so a
// crowd of children that failed together does not restart in lockstep, and no delay ever exceeds
// the computed one (maxMs stays a true upper bound).

export interface Backoff {
  /** Delay before the first restart. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per consecutive failure (>= 1). */
  factor: number;
  /** 0..1: the share of each delay that may be cut at random. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<Backoff> = Object.freeze({ initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.1 });

/** Delay before restart number `attempt` (1 for the first restart after a healthy run). */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** exponent);
  return Math.round(base * (1 - backoff.jitter * random()));
}

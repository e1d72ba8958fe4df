// Restart intensity, as Erlang/OTP supervisors have it: at most maxRestarts restarts within any
// window of periodMs. One more restart than that means the children cannot be kept up, and the
// supervisor gives up instead of spinning (it stops everything and says why).

export interface Intensity {
  maxRestarts: number;
  periodMs: number;
}

export const DEFAULT_INTENSITY: Readonly<Intensity> = Object.freeze({ maxRestarts: 10, periodMs: 10_000 });

/** Sliding window of restart times. */
export class RestartWindow {
  readonly #limit: Intensity;
  #times: number[] = [];

  constructor(limit: Intensity) {
    this.#limit = limit;
  }

  /** Record a restart at `now`; false when it exceeds the intensity (the caller gives up). */
  admit(now: number): boolean {
    const since = now - this.#limit.periodMs;
    this.#times = this.#times.filter((t) => t > since);
    this.#times.push(now);
    return this.#times.length <= this.#limit.maxRestarts;
  }

  /** Words for the give-up reason. */
  describe(): string {
    return `more than ${this.#limit.maxRestarts} restart(s) within ${this.#limit.periodMs} ms`;
  }
}

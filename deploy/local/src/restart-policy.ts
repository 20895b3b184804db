/** When a crashed service is started again: systemd's `Restart=on-failure` with a doubling delay and a start limit. */
export interface RestartPolicyOptions {
  /** Delay before the first restart of a window; it doubles with each restart still inside the window. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Restarts allowed within `intervalMs` (systemd's StartLimitBurst and StartLimitIntervalSec). */
  burst: number;
  intervalMs: number;
}

/** 1 s doubling to 30 s, at most 5 restarts in 60 s. */
export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  burst: 5,
  intervalMs: 60_000,
};

/** Counts the restarts of one service and says how long to wait before the next, or to give up. */
export class RestartPolicy {
  readonly options: RestartPolicyOptions;
  readonly #restarts: number[] = [];

  constructor(options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {
    this.options = options;
  }

  /** Restarts counted in the window ending at `now`. */
  recent(now: number): number {
    while (this.#restarts.length > 0 && (this.#restarts[0] ?? now) <= now - this.options.intervalMs)
      this.#restarts.shift();
    return this.#restarts.length;
  }

  /** Records a restart at `now` and returns its delay, or `undefined` once the start limit is reached. */
  next(now: number): number | undefined {
    const n = this.recent(now);
    if (n >= this.options.burst) return undefined;
    this.#restarts.push(now);
    return Math.min(this.options.initialDelayMs * 2 ** n, this.options.maxDelayMs);
  }
}

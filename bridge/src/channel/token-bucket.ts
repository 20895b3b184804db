/** A token bucket: `ratePerSecond` tokens flow in, at most `capacity` are kept. Time is passed in (ms). */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #at: number;

  constructor(ratePerSecond: number, capacity: number, nowMs: number) {
    this.#rate = ratePerSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#at = nowMs;
  }

  /** Takes `n` tokens if there are that many; otherwise takes none. */
  take(n: number, nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }

  /** Gives back `n` tokens taken earlier, up to the capacity. */
  give(n: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#tokens = Math.min(this.#capacity, this.#tokens + n);
  }

  #refill(nowMs: number): void {
    const elapsed = nowMs - this.#at;
    if (elapsed <= 0) return;
    this.#at = nowMs;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#rate);
  }
}

/**
 * How many new conferences one requester (a bare JID, or an HTTP client address) may create per window. A flood
 * of requests for fresh room names would otherwise make the focus join (and Prosody create) a room for each.
 * Requests for rooms that already exist never count.
 */
export class CreationLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Creation times per requester, oldest first, pruned to the window on use. */
  readonly #recent = new Map<string, number[]>();

  constructor(maxPerWindow: number, windowMs: number, maxKeys = 10_000) {
    this.#max = maxPerWindow;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Records a creation for `key` and says whether it is allowed (false: over the limit, nothing recorded). */
  tryTake(key: string, now: number): boolean {
    const since = now - this.#windowMs;
    const times = (this.#recent.get(key) ?? []).filter((t) => t > since);
    if (times.length >= this.#max) {
      this.#recent.set(key, times);
      return false;
    }
    times.push(now);
    this.#recent.delete(key);
    this.#recent.set(key, times);
    // Map order is least recently used first: drop the stalest requesters beyond the bound.
    for (const k of this.#recent.keys()) {
      if (this.#recent.size <= this.#maxKeys) break;
      this.#recent.delete(k);
    }
    return true;
  }
}

/**
 * How many new conferences one key (a requester, or a whole anonymous domain) may create per window. A flood of
 * requests for fresh room names would otherwise make the focus join (and Prosody create) a room for each.
 * Requests for rooms that already exist never count.
 */
export class CreationLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Creation times per key, oldest first, pruned to the window on use. */
  readonly #recent = new Map<string, number[]>();

  /** Keys held now (for tests and the soak). */
  get size(): number {
    return this.#recent.size;
  }

  constructor(maxPerWindow: number, windowMs: number, maxKeys = 10_000) {
    this.#max = maxPerWindow;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Whether `key` may create one more conference now (nothing recorded). */
  allows(key: string, now: number): boolean {
    const since = now - this.#windowMs;
    const times = (this.#recent.get(key) ?? []).filter((t) => t > since);
    // A key with nothing in the window is forgotten: fresh anonymous JIDs must not pile up until the bound.
    if (times.length === 0) this.#recent.delete(key);
    else this.#recent.set(key, times);
    return times.length < this.#max;
  }

  /** Records a creation for `key` (after `allows` said yes). */
  record(key: string, now: number): void {
    const times = this.#recent.get(key) ?? [];
    times.push(now);
    this.#recent.delete(key);
    this.#recent.set(key, times);
    // Map order is least recently used first: drop keys whose window has passed, then the stalest beyond the bound.
    const since = now - this.#windowMs;
    for (const [k, t] of this.#recent) {
      if (this.#recent.size <= this.#maxKeys && (t.at(-1) ?? 0) > since) break;
      this.#recent.delete(k);
    }
  }
}

/** A bounded map with a time to live: the least recently used entry goes first, and stale entries read as absent. */
export class CapsCache<V> {
  readonly #max: number;
  readonly #ttlMs: number;
  /** Map order is least recently used first. */
  readonly #entries = new Map<string, { value: V; expires: number }>();

  constructor(maxEntries: number, ttlMs: number) {
    this.#max = maxEntries;
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    for (const k of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(k);
    }
  }
}

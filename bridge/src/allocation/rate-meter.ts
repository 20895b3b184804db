// Bytes and events per second over the last second, in ten 100 ms buckets; per packet one add, no allocation.

const BUCKETS = 10;
const BUCKET_MS = 100;

export class RateMeter {
  readonly #sums = new Float64Array(BUCKETS);
  readonly #slots = new Float64Array(BUCKETS).fill(-1);

  add(value: number, nowMs: number): void {
    const slot = Math.floor(nowMs / BUCKET_MS);
    const i = slot % BUCKETS;
    if (this.#slots[i] !== slot) {
      this.#slots[i] = slot;
      this.#sums[i] = 0;
    }
    this.#sums[i]! += value;
  }

  /** Sum over the last second (the current bucket included). */
  rate(nowMs: number): number {
    const slot = Math.floor(nowMs / BUCKET_MS);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) if (slot - this.#slots[i]! < BUCKETS) sum += this.#sums[i]!;
    return sum;
  }
}

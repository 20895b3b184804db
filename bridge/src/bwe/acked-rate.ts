// The rate at which a receiver actually got what the bridge sent it, over the last half second of arrivals: the
// throughput a decrease is based on and an increase is bounded by.

const WINDOW_MS = 500;
const SLOTS = 4096;

export class AckedRate {
  readonly #arrival = new Float64Array(SLOTS);
  readonly #bytes = new Int32Array(SLOTS);
  #head = 0;
  #count = 0;
  #sum = 0;
  #newest = -Infinity;
  #oldest = Infinity;

  /** One received packet of `bytes`, by its arrival time (receiver's clock). */
  onReceived(arrivalMs: number, bytes: number): void {
    if (this.#count === SLOTS) this.#evictOne();
    const at = (this.#head + this.#count) % SLOTS;
    this.#arrival[at] = arrivalMs;
    this.#bytes[at] = bytes;
    this.#count++;
    this.#sum += bytes;
    if (arrivalMs > this.#newest) this.#newest = arrivalMs;
    if (arrivalMs < this.#oldest) this.#oldest = arrivalMs;
    while (this.#count > 0 && this.#arrival[this.#head]! <= this.#newest - WINDOW_MS) this.#evictOne();
  }

  /** Bits per second over the window, NaN until a window's worth (or most of it) has arrived. */
  get bps(): number {
    const span = Math.min(this.#newest - this.#oldest, WINDOW_MS);
    if (this.#count < 2 || span < WINDOW_MS / 2) return NaN;
    return (this.#sum * 8 * 1000) / WINDOW_MS;
  }

  #evictOne(): void {
    this.#sum -= this.#bytes[this.#head]!;
    this.#head = (this.#head + 1) % SLOTS;
    this.#count--;
  }
}

// What the bridge sent one receiver, by its own transport-wide sequence number: when and how big, and whether it
// belonged to a probe. A pre-sized ring written on every packet (no allocation); read when feedback arrives.

/** About 4 s at 1000 packets/s; feedback older than that is of no use to the estimator anyway. */
const SLOTS = 1 << 12;
const MASK = SLOTS - 1;

export class SendHistory {
  readonly #sentMs = new Float64Array(SLOTS);
  readonly #bytes = new Int32Array(SLOTS);
  /** The unwrapped sequence number a slot holds (-1: none), so a stale slot is never taken for a newer one. */
  readonly #seq = new Int32Array(SLOTS).fill(-1);
  readonly #probe = new Int16Array(SLOTS);
  /** Unwrapped sequence number of the next packet. */
  #next: number;

  constructor(first = 0) {
    this.#next = first & 0xffff;
  }

  /** Records a packet of `bytes` on the wire sent now; returns the 16-bit sequence number to stamp in it. */
  onSent(bytes: number, nowMs: number, probeId: number): number {
    const seq = this.#next++;
    const at = seq & MASK;
    this.#sentMs[at] = nowMs;
    this.#bytes[at] = bytes;
    this.#seq[at] = seq;
    this.#probe[at] = probeId;
    return seq & 0xffff;
  }

  /** The unwrapped sequence number of `seq16` nearest below the next one to send. */
  unwrap(seq16: number): number {
    const last = this.#next - 1;
    const diff = ((seq16 - (last & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    return last + diff;
  }

  /** True when `seq` (unwrapped) is still held. */
  has(seq: number): boolean {
    return seq >= 0 && this.#seq[seq & MASK] === seq;
  }

  sentMs(seq: number): number {
    return this.#sentMs[seq & MASK]!;
  }

  bytes(seq: number): number {
    return this.#bytes[seq & MASK]!;
  }

  /** The probe cluster the packet was sent in, 0 for none. */
  probe(seq: number): number {
    return this.#probe[seq & MASK]!;
  }
}

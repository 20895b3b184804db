// The recent plain RTP packets of one video stream, as forwarded (after header extension blanking): what RTX
// answers to receivers' NACKs are built from. A ring of pre-sized slots indexed by sequence number; a store is one
// copy, a lookup one comparison. Bounded in packets (about 2 s of video at 250 packets/s) and so in bytes.

const SLOTS = 512;
const MASK = SLOTS - 1;
const SLOT_BYTES = 1500;

export class PacketCache {
  readonly #data = Buffer.allocUnsafe(SLOTS * SLOT_BYTES);
  readonly #len = new Int32Array(SLOTS);
  /** The 16-bit sequence number a slot holds (-1: none). */
  readonly #seq = new Int32Array(SLOTS).fill(-1);
  /** When the slot was written (ms): older packets are not worth resending. */
  readonly #at = new Float64Array(SLOTS);

  /** Hot path: keeps a copy of the packet (dropped silently when larger than a slot). */
  store(buf: Buffer, off: number, len: number, nowMs: number): void {
    if (len > SLOT_BYTES) return;
    const seq = buf.readUInt16BE(off + 2);
    const i = seq & MASK;
    buf.copy(this.#data, i * SLOT_BYTES, off, off + len);
    this.#len[i] = len;
    this.#seq[i] = seq;
    this.#at[i] = nowMs;
  }

  /** The offset in `data` of packet `seq` if held and younger than `maxAgeMs`, else -1; `lengthOf` gives its length. */
  find(seq: number, nowMs: number, maxAgeMs: number): number {
    const i = seq & MASK;
    if (this.#seq[i] !== seq || nowMs - this.#at[i]! > maxAgeMs) return -1;
    return i * SLOT_BYTES;
  }

  lengthAt(offset: number): number {
    return this.#len[offset / SLOT_BYTES]!;
  }

  get data(): Buffer {
    return this.#data;
  }
}

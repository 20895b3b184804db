// The packets one endpoint's pipeline sent, protected, newest last: the ring outgoing packets are written into,
// and the history a receiver's NACKs are answered from. Ownership is explicit: a slot handed to a socket that
// keeps a reference until its send completes (dgram) is held until that send's callback, and next() never
// returns a held slot (the caller drops the packet and counts it: a stuck socket costs this endpoint, bounded,
// not the others). A socket that copies (the native one) holds nothing.
import { SRTP_MAX_OVERHEAD } from '../srtp/index.js';
import type { SendDone } from '../transport/index.js';

/** About a second of video at 250 packets/s. */
const RING_SLOTS = 256;
export const SLOT_BYTES = 1500 + SRTP_MAX_OVERHEAD;

export class SendRing {
  /** Every slot, back to back (slot i at i * SLOT_BYTES): what a native socket's sendSrtp writes into. */
  readonly buffer = Buffer.allocUnsafe(RING_SLOTS * SLOT_BYTES);
  readonly #slots: Buffer[] = [];
  #next = 0;
  /** Length of the protected RTP packet in each slot, 0 when the slot holds RTCP or nothing. */
  readonly #rtpLength = new Int32Array(RING_SLOTS);
  /** Sends in flight that still reference each slot. */
  readonly #held = new Uint16Array(RING_SLOTS);
  /** One release callback per slot, made once (no closure per packet). */
  readonly #release: SendDone[] = [];
  /** Set by the owner: where a failed send's error is counted. */
  onSendError: (err: Error) => void = () => undefined;

  constructor() {
    for (let i = 0; i < RING_SLOTS; i++) {
      this.#slots.push(this.buffer.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES));
      this.#release.push((err) => {
        this.#held[i]!--;
        if (err !== null) this.onSendError(err);
      });
    }
  }

  /** The next slot to write into (whatever it held is forgotten), or undefined while a send still references it. */
  next(): Buffer | undefined {
    const at = this.nextOffset();
    return at < 0 ? undefined : this.#slots[at / SLOT_BYTES];
  }

  /** As next(), as the slot's offset in `buffer` (-1 while a send still references it): no slot object touched. */
  nextOffset(): number {
    const at = this.#next;
    if (this.#held[at] !== 0) return -1;
    this.#rtpLength[at] = 0;
    this.#next = (at + 1) % RING_SLOTS;
    return at * SLOT_BYTES;
  }

  /** The slot `next()` returned last now holds a protected RTP packet of `len` bytes. */
  markRtp(len: number): void {
    this.#rtpLength[(this.#next - 1 + RING_SLOTS) % RING_SLOTS] = len;
  }

  /** A send of the slot `next()` returned last (or `findRtp` found: `at`) begins: the callback ends its hold. */
  hold(at = (this.#next - 1 + RING_SLOTS) % RING_SLOTS): SendDone {
    this.#held[at]!++;
    return this.#release[at]!;
  }

  /** Sends in flight over all slots (tests, introspection). */
  get held(): number {
    let n = 0;
    for (const h of this.#held) n += h;
    return n;
  }

  /**
   * The slot holding the RTP packet (ssrc, seq) we sent, newest first, or undefined; `len` gets its length.
   * NACKs are rare, and SRTP leaves SSRC and sequence number in clear.
   */
  findRtp(ssrc: number, seq: number): { slot: Buffer; len: number; at: number } | undefined {
    for (let k = 1; k <= RING_SLOTS; k++) {
      const at = (this.#next - k + RING_SLOTS) % RING_SLOTS;
      const len = this.#rtpLength[at]!;
      if (len === 0) continue;
      const slot = this.#slots[at]!;
      if (slot.readUInt16BE(2) === seq && slot.readUInt32BE(8) === ssrc) return { slot, len, at };
    }
    return undefined;
  }
}

// The packets one endpoint's pipeline sent, protected, newest last: the ring outgoing packets are written into
// (a Buffer handed to the socket may still be queued, so slots are reused only a ring later), and the history a
// receiver's NACKs are answered from.
import { SRTP_MAX_OVERHEAD } from '../srtp/index.js';

/** About a second of video at 250 packets/s. */
const RING_SLOTS = 256;
export const SLOT_BYTES = 1500 + SRTP_MAX_OVERHEAD;

export class SendRing {
  readonly #slots: Buffer[] = [];
  #next = 0;
  /** Length of the protected RTP packet in each slot, 0 when the slot holds RTCP or nothing. */
  readonly #rtpLength = new Int32Array(RING_SLOTS);

  constructor() {
    for (let i = 0; i < RING_SLOTS; i++) this.#slots.push(Buffer.allocUnsafe(SLOT_BYTES));
  }

  /** The next slot to write into (whatever it held is forgotten). */
  next(): Buffer {
    this.#rtpLength[this.#next] = 0;
    const slot = this.#slots[this.#next]!;
    this.#next = (this.#next + 1) % RING_SLOTS;
    return slot;
  }

  /** The slot `next()` returned last now holds a protected RTP packet of `len` bytes. */
  markRtp(len: number): void {
    this.#rtpLength[(this.#next - 1 + RING_SLOTS) % RING_SLOTS] = len;
  }

  /**
   * The slot holding the RTP packet (ssrc, seq) we sent, newest first, or undefined; `len` gets its length.
   * NACKs are rare, and SRTP leaves SSRC and sequence number in clear.
   */
  findRtp(ssrc: number, seq: number): { slot: Buffer; len: number } | undefined {
    for (let k = 1; k <= RING_SLOTS; k++) {
      const at = (this.#next - k + RING_SLOTS) % RING_SLOTS;
      const len = this.#rtpLength[at]!;
      if (len === 0) continue;
      const slot = this.#slots[at]!;
      if (slot.readUInt16BE(2) === seq && slot.readUInt32BE(8) === ssrc) return { slot, len };
    }
    return undefined;
  }
}

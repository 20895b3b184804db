// One audio pool slot of an SSRC-rewriting receiver: the sender's packets go out on the slot's SSRC, sequence
// numbers and timestamps continuing the slot's stream when it changes source (the receiver's jitter buffer sees one
// stream). Per packet: arithmetic and in-place writes only.
import { seqDiff, tsDiff } from './seq-math.js';

/** Opus at 48 kHz: 20 ms, the step assumed across a change of source when less time went by. */
const MIN_TS_STEP = 960;
const CLOCK_KHZ = 48;

export class AudioSlotRewriter {
  readonly ssrc: number;
  /** The sender's SSRC carried now (0: none). */
  #source = 0;
  #needsDeltas = true;
  #seqDelta = 0;
  #tsDelta = 0;
  #started = false;
  #lastSeqOut = 0;
  #lastTsOut = 0;
  #lastOutAt = 0;

  constructor(ssrc: number) {
    this.ssrc = ssrc >>> 0;
  }

  /** The sender's SSRC this slot carries now. */
  get source(): number {
    return this.#source;
  }

  /** The slot now carries `senderSsrc`: its next packet continues the slot's numbering. */
  carry(senderSsrc: number): void {
    this.#source = senderSsrc >>> 0;
    this.#needsDeltas = true;
  }

  /** Rewrites SSRC, sequence number and timestamp of a packet of the carried source in place. */
  rewrite(buf: Buffer, off: number, nowMs: number): void {
    const seq = buf.readUInt16BE(off + 2);
    const ts = buf.readUInt32BE(off + 4);
    if (this.#needsDeltas) {
      this.#needsDeltas = false;
      if (this.#started) {
        const step = Math.max(MIN_TS_STEP, Math.min(Math.round((nowMs - this.#lastOutAt) * CLOCK_KHZ), 480_000));
        this.#seqDelta = (this.#lastSeqOut + 1 - seq) & 0xffff;
        this.#tsDelta = (this.#lastTsOut + step - ts) >>> 0;
      } else {
        this.#seqDelta = 0;
        this.#tsDelta = 0;
      }
    }
    const seqOut = (seq + this.#seqDelta) & 0xffff;
    const tsOut = (ts + this.#tsDelta) >>> 0;
    buf.writeUInt32BE(this.ssrc, off + 8);
    buf.writeUInt16BE(seqOut, off + 2);
    buf.writeUInt32BE(tsOut, off + 4);
    if (!this.#started || seqDiff(seqOut, this.#lastSeqOut) > 0) {
      this.#lastSeqOut = seqOut;
      if (!this.#started || tsDiff(tsOut, this.#lastTsOut) > 0) this.#lastTsOut = tsOut;
      this.#lastOutAt = nowMs;
    }
    this.#started = true;
  }

  /** An SR timestamp of `senderSsrc` on the slot's timeline, -1 when the slot does not carry it (or not yet). */
  translateTimestamp(senderSsrc: number, ts: number): number {
    if (senderSsrc >>> 0 !== this.#source || this.#needsDeltas) return -1;
    return (ts + this.#tsDelta) >>> 0;
  }
}

// Reads transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) a receiver sends about what
// the bridge sent it, into pre-sized arrays (no allocation: a receiver sends ~10 of these a second, but the reader
// runs for every receiver). Our own reader rather than werift-rtp's TransportWideCC: its `packetResults` reads
// run-length chunks only (status vectors, which Chromium writes for mixed runs, come out empty), and it builds an
// object per chunk and per delta.

/** At most this many statuses are read from one feedback packet (Chromium writes a few hundred at most). */
export const TWCC_REPORT_CAPACITY = 4096;

/** One feedback packet, decoded: `count` statuses from `base`, each arrival (ms, the receiver's clock) or NaN. */
export class TwccReport {
  base = 0;
  count = 0;
  feedbackCount = 0;
  mediaSsrc = 0;
  /** Arrival time in ms on the receiver's clock (reference time + deltas); NaN when not received. */
  readonly arrivalMs = new Float64Array(TWCC_REPORT_CAPACITY);
  readonly #symbols = new Uint8Array(TWCC_REPORT_CAPACITY);

  /**
   * Decodes the RTPFB FMT 15 packet at `off` (`len` bytes, from its RTCP header); false when it is malformed
   * (the report is then left empty). Statuses past the capacity are ignored.
   */
  read(buf: Buffer, off: number, len: number): boolean {
    this.count = 0;
    if (len < 20) return false;
    this.mediaSsrc = buf.readUInt32BE(off + 8);
    this.base = buf.readUInt16BE(off + 12);
    const total = buf.readUInt16BE(off + 14);
    const referenceMs = buf.readUIntBE(off + 16, 3) * 64;
    this.feedbackCount = buf[off + 19]!;
    const end = off + len - ((buf[off]! & 0x20) !== 0 ? buf[off + len - 1]! : 0);
    if (end < off + 20) return false;
    const n = Math.min(total, TWCC_REPORT_CAPACITY);
    const sym = this.#symbols;
    let p = off + 20;
    let s = 0;
    let seen = 0;
    while (seen < total) {
      if (p + 2 > end) return false;
      const chunk = buf.readUInt16BE(p);
      p += 2;
      if ((chunk & 0x8000) === 0) {
        const status = (chunk >> 13) & 0x3;
        const run = chunk & 0x1fff;
        for (let k = 0; k < run && seen < total; k++, seen++) if (s < n) sym[s++] = status;
      } else if ((chunk & 0x4000) === 0) {
        for (let k = 0; k < 14 && seen < total; k++, seen++) if (s < n) sym[s++] = (chunk >> (13 - k)) & 0x1;
      } else {
        for (let k = 0; k < 7 && seen < total; k++, seen++) if (s < n) sym[s++] = (chunk >> (12 - 2 * k)) & 0x3;
      }
    }
    // Receive deltas, 250 µs ticks: one byte for a small delta, a signed 16-bit one for a large delta.
    let t = referenceMs;
    const arrivals = this.arrivalMs;
    for (let i = 0; i < s; i++) {
      const st = sym[i]!;
      if (st === 0) {
        arrivals[i] = NaN;
      } else if (st === 1) {
        if (p + 1 > end) return false;
        t += buf[p]! / 4;
        p += 1;
        arrivals[i] = t;
      } else if (st === 2) {
        if (p + 2 > end) return false;
        t += buf.readInt16BE(p) / 4;
        p += 2;
        arrivals[i] = t;
      } else {
        return false; // "received without delta" is reserved in the draft
      }
    }
    this.count = s;
    return true;
  }
}

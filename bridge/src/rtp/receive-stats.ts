// Per-SSRC reception statistics for the bridge's own receiver reports (RFC 3550 §6.4.2, Appendix A.3).

/** What the bridge knows about one stream it receives; updated once per packet with plain number fields. */
export class ReceiveStats {
  readonly ssrc: number;
  readonly #unitsPerMs: number;
  packets = 0;
  /** Interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1, A.8). */
  jitter = 0;
  #lastTransit = NaN;
  #baseSeq = -1;
  #cycles = 0;
  #maxSeq = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  /** Middle 32 bits of the NTP timestamp of the last SR, and when it arrived (ms). */
  #lastSr = 0;
  #lastSrAt = 0;

  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc;
    this.#unitsPerMs = clockRate / 1000;
  }

  /** One packet: its sequence number, RTP timestamp, and arrival time in ms (a monotonic clock). */
  onRtp(seq: number, rtpTimestamp: number, arrivalMs: number): void {
    this.packets++;
    const transit = arrivalMs * this.#unitsPerMs - rtpTimestamp;
    if (this.#lastTransit === this.#lastTransit) {
      let d = Math.abs(transit - this.#lastTransit);
      if (d > 0x80000000) d = Math.abs(d - 0x100000000); // the RTP timestamp wrapped
      this.jitter += (d - this.jitter) / 16;
    }
    this.#lastTransit = transit;
    if (this.#baseSeq < 0) {
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      return;
    }
    const delta = (seq - this.#maxSeq) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (seq < this.#maxSeq) this.#cycles += 0x10000;
      this.#maxSeq = seq;
    }
  }

  onSr(ntpMiddle: number, now: number): void {
    this.#lastSr = ntpMiddle >>> 0;
    this.#lastSrAt = now;
  }

  /** Writes one 24-byte report block at `off` and resets the interval counters. */
  writeReportBlock(buf: Buffer, off: number, now: number): void {
    const extMax = this.#cycles + this.#maxSeq;
    const expected = this.#baseSeq < 0 ? 0 : extMax - this.#baseSeq + 1;
    const lost = Math.max(0, expected - this.packets);
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.packets - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.packets;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction =
      expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    buf.writeUInt32BE(this.ssrc >>> 0, off);
    buf.writeUInt32BE((((fraction & 0xff) << 24) | Math.min(lost, 0x7fffff)) >>> 0, off + 4);
    buf.writeUInt32BE(extMax >>> 0, off + 8);
    buf.writeUInt32BE(Math.min(Math.floor(this.jitter), 0xffffffff) >>> 0, off + 12);
    buf.writeUInt32BE(this.#lastSr, off + 16);
    const dlsr = this.#lastSrAt === 0 ? 0 : Math.floor(((now - this.#lastSrAt) * 65536) / 1000);
    buf.writeUInt32BE(dlsr >>> 0, off + 20);
  }
}

/** Writes an RR from `senderSsrc` with one block per stream (at most 31); returns its length. */
export function writeReceiverReport(
  buf: Buffer,
  off: number,
  senderSsrc: number,
  streams: readonly ReceiveStats[],
  now: number,
): number {
  const n = Math.min(streams.length, 31);
  buf[off] = 0x80 | n;
  buf[off + 1] = 201;
  buf.writeUInt16BE(1 + 6 * n, off + 2);
  buf.writeUInt32BE(senderSsrc >>> 0, off + 4);
  for (let i = 0; i < n; i++) streams[i]!.writeReportBlock(buf, off + 8 + 24 * i, now);
  return 8 + 24 * n;
}

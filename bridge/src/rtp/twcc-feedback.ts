// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) for what one
// endpoint sends the bridge: the sender's estimator (Chromium's GCC) needs the arrival time of every packet it sent.
// Arrivals are recorded in place on the hot path (a ring of times by sequence number, no allocation); a timer writes
// them as RTCP RTPFB FMT 15 packets into a caller's buffer. Our own writer rather than werift's TransportWideCC:
// that one serializes chunk objects the caller must build, and the chunking is what this file is about.

export const RTPFB_TWCC = 15;
/** RTCP packet type of transport-layer feedback (RFC 4585 §6.2). */
const RTCP_RTPFB = 205;
const RING = 1 << 14;
const MASK = RING - 1;
/** At most this many packets per feedback: header, chunks and two-byte deltas stay under 1200 bytes. */
const MAX_STATUSES = 400;
const HEADER_BYTES = 20;
/** One delta tick is 250 µs; the reference time counts 64 ms. */
const TICKS_PER_MS = 4;
const REFERENCE_MS = 64;

const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

/** What the recorder counted; plain fields, read at scrape time. */
export interface TwccCounters {
  /** Packets carrying a transport-wide sequence number. */
  recorded: number;
  /** Arrived after their sequence number was already reported. */
  late: number;
  feedbackSent: number;
}

/** Arrival times of one endpoint's packets by transport-wide sequence number, and the feedback written from them. */
export class TwccFeedback {
  readonly counters: TwccCounters = { recorded: 0, late: 0, feedbackSent: 0 };
  /** Arrival time (ms, performance.now()) by unwrapped sequence number & MASK; NaN when not received. */
  readonly #arrivals = new Float64Array(RING).fill(NaN);
  readonly #statuses = new Uint8Array(MAX_STATUSES);
  readonly #deltas = new Int32Array(MAX_STATUSES);
  /** Highest unwrapped sequence number seen; -1 before the first packet. */
  #highest = -1;
  /** First unwrapped sequence number not yet reported. */
  #next = -1;
  #feedbackCount = 0;
  #mediaSsrc = 0;

  /** Sequence numbers received but not yet reported. */
  get pending(): number {
    return this.#highest < 0 ? 0 : this.#highest - this.#next + 1;
  }

  /** Records one packet (hot path): its 16-bit transport-wide sequence number and when it arrived. */
  onPacket(seq16: number, arrivalMs: number, ssrc: number): void {
    this.#mediaSsrc = ssrc;
    let seq: number;
    if (this.#highest < 0) {
      seq = seq16 + 0x10000; // room below for reordering across the first wrap
      this.#highest = seq;
      this.#next = seq;
    } else {
      const diff = ((seq16 - (this.#highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      seq = this.#highest + diff;
      if (seq < this.#next) {
        this.counters.late++;
        return;
      }
      if (seq > this.#highest) {
        for (let s = this.#highest + 1; s < seq && s - this.#highest <= RING; s++) this.#arrivals[s & MASK] = NaN;
        this.#highest = seq;
        // Never report more than the ring holds: whatever fell out of it is given up.
        if (this.#highest - this.#next >= RING) this.#next = this.#highest - RING + 1;
      }
    }
    this.#arrivals[seq & MASK] = arrivalMs;
    this.counters.recorded++;
  }

  /**
   * Writes one feedback packet for the oldest unreported packets into `out` at `off` (room for 1200 bytes needed);
   * returns its length, 0 when there is nothing to report.
   */
  write(out: Buffer, off: number, senderSsrc: number): number {
    if (this.#highest < 0 || this.#next > this.#highest) return 0;
    const base = this.#next;
    // The reference time comes from the first packet that arrived; statuses before it are "not received".
    let first = base;
    while (first <= this.#highest && Number.isNaN(this.#arrivals[first & MASK]!)) first++;
    if (first > this.#highest) return 0;
    const referenceTicks = Math.floor(this.#arrivals[first & MASK]! / REFERENCE_MS);
    let previous = referenceTicks * REFERENCE_MS * TICKS_PER_MS; // in delta ticks
    let count = 0;
    for (let seq = base; seq <= this.#highest && count < MAX_STATUSES; seq++) {
      const at = this.#arrivals[seq & MASK]!;
      if (Number.isNaN(at)) {
        this.#statuses[count++] = NOT_RECEIVED;
        continue;
      }
      const ticks = Math.round(at * TICKS_PER_MS);
      const delta = ticks - previous;
      if (delta < -32768 || delta > 32767) break; // the next feedback starts here, with its own reference
      this.#statuses[count] = delta >= 0 && delta <= 255 ? SMALL_DELTA : LARGE_DELTA;
      this.#deltas[count++] = delta;
      previous = ticks;
    }
    // A trailing run of losses waits for the next feedback: those packets may still be on their way.
    while (count > 0 && this.#statuses[count - 1] === NOT_RECEIVED) count--;
    if (count === 0) return 0;

    let p = off + HEADER_BYTES;
    p = this.#writeChunks(out, p, count);
    for (let i = 0; i < count; i++) {
      const st = this.#statuses[i]!;
      if (st === SMALL_DELTA) out[p++] = this.#deltas[i]!;
      else if (st === LARGE_DELTA) {
        out.writeInt16BE(this.#deltas[i]!, p);
        p += 2;
      }
    }
    // RFC 3550 §6.4.1 padding, as libwebrtc writes it: zeros, the last byte their count, and the P bit set.
    const pad = (4 - ((p - off) % 4)) % 4;
    for (let i = 0; i < pad; i++) out[p++] = i === pad - 1 ? pad : 0;
    const length = p - off;
    out[off] = 0x80 | (pad > 0 ? 0x20 : 0) | RTPFB_TWCC;
    out[off + 1] = RTCP_RTPFB;
    out.writeUInt16BE(length / 4 - 1, off + 2);
    out.writeUInt32BE(senderSsrc >>> 0, off + 4);
    out.writeUInt32BE(this.#mediaSsrc >>> 0, off + 8);
    out.writeUInt16BE(base & 0xffff, off + 12);
    out.writeUInt16BE(count, off + 14);
    out.writeUIntBE(referenceTicks & 0xffffff, off + 16, 3);
    out[off + 19] = this.#feedbackCount;
    this.#feedbackCount = (this.#feedbackCount + 1) & 0xff;
    this.#next = base + count;
    this.counters.feedbackSent++;
    return length;
  }

  /** Packet status chunks (§3.1.1-3.1.4): run lengths for long runs, else one- or two-bit status vectors. */
  #writeChunks(out: Buffer, p: number, count: number): number {
    const st = this.#statuses;
    let i = 0;
    while (i < count) {
      let run = 1;
      while (i + run < count && st[i + run] === st[i] && run < 0x1fff) run++;
      if (run >= 14 || (run >= 7 && st[i] === LARGE_DELTA) || i + run === count) {
        out.writeUInt16BE((st[i]! << 13) | run, p);
        i += run;
      } else {
        const n = Math.min(14, count - i);
        let oneBit = true;
        for (let k = 0; k < n; k++) if (st[i + k]! > SMALL_DELTA) oneBit = false;
        let chunk: number;
        if (oneBit) {
          chunk = 0x8000;
          for (let k = 0; k < n; k++) chunk |= st[i + k]! << (13 - k);
          i += n;
        } else {
          const m = Math.min(7, count - i);
          chunk = 0xc000;
          for (let k = 0; k < m; k++) chunk |= st[i + k]! << (12 - 2 * k);
          i += m;
        }
        out.writeUInt16BE(chunk, p);
      }
      p += 2;
    }
    return p;
  }
}

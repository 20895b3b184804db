// NACKs for loss on a sender's uplink (RFC 4585 §6.2.1): the bridge notices gaps in the sequence numbers of the
// video a sender sends it and asks for them again, a bounded number of times. Per packet: a comparison and, only
// when something is missing, a map entry per lost packet; the NACKs are written on the media timer.

const REORDER_WAIT_MS = 20;
const RETRY_MS = 100;
const MAX_TRIES = 3;
/** A jump of more than this many packets is a new run (a restart, a wrap), not loss. */
const MAX_GAP = 100;
const MAX_MISSING = 256;
const MAX_STREAMS = 16;
const RTCP_RTPFB = 205;

interface Missing {
  firstMs: number;
  lastNackMs: number;
  tries: number;
}

interface Stream {
  ssrc: number;
  highest: number;
  /** Unwrapped sequence number -> when it went missing; insertion order is age order. */
  missing: Map<number, Missing>;
}

export interface NackCounters {
  /** Sequence numbers asked for (one per NACK item bit). */
  nacked: number;
  /** Missing packets given up after MAX_TRIES NACKs, or dropped from a full list. */
  givenUp: number;
  /** Missing packets that arrived after all (retransmitted or reordered). */
  recovered: number;
}

/** Gaps in the video one endpoint sends, and the NACKs that ask for them. */
export class NackGenerator {
  readonly counters: NackCounters = { nacked: 0, givenUp: 0, recovered: 0 };
  readonly #streams = new Map<number, Stream>();
  /** Video SSRCs NACKed (0) or an RTX SSRC's primary: what the sender resends on it recovers the primary's loss. */
  readonly #nacked = new Map<number, number>();

  /** `ssrc` is video (NACKed), or when `rtxPrimary` is not 0, the RTX stream of that primary (never NACKed). */
  addStream(ssrc: number, rtxPrimary: number): void {
    if (this.#nacked.size < 2 * MAX_STREAMS) this.#nacked.set(ssrc, rtxPrimary);
  }

  /**
   * Hot path: a decrypted RTP packet (`len` bytes). Media of a video stream is tracked for gaps; an RTX packet
   * (RFC 4588) carries the original sequence number first in its payload, and takes that packet off the list.
   */
  onRtp(buf: Buffer, len: number, nowMs: number): void {
    const ssrc = buf.readUInt32BE(8);
    const primary = this.#nacked.get(ssrc);
    if (primary === undefined) return;
    if (primary === 0) {
      this.onPacket(ssrc, buf.readUInt16BE(2), nowMs);
      return;
    }
    let p = 12 + 4 * (buf[0]! & 0x0f);
    if ((buf[0]! & 0x10) !== 0 && p + 4 <= len) p += 4 + 4 * buf.readUInt16BE(p + 2);
    const end = (buf[0]! & 0x20) !== 0 ? len - buf[len - 1]! : len;
    if (p + 2 <= end) this.onPacket(primary, buf.readUInt16BE(p), nowMs);
  }

  /** Records one packet of a video stream (hot path). */
  onPacket(ssrc: number, seq16: number, nowMs: number): void {
    let s = this.#streams.get(ssrc);
    if (s === undefined) {
      if (this.#streams.size >= MAX_STREAMS) return;
      s = { ssrc, highest: seq16 + 0x10000, missing: new Map() };
      this.#streams.set(ssrc, s);
      return;
    }
    const diff = ((seq16 - (s.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    const seq = s.highest + diff;
    if (diff > 0) {
      if (diff > MAX_GAP) {
        this.counters.givenUp += s.missing.size;
        s.missing.clear();
      } else {
        for (let q = s.highest + 1; q < seq; q++) s.missing.set(q, { firstMs: nowMs, lastNackMs: -Infinity, tries: 0 });
        while (s.missing.size > MAX_MISSING) {
          s.missing.delete(s.missing.keys().next().value!);
          this.counters.givenUp++;
        }
      }
      s.highest = seq;
    } else if (s.missing.size > 0 && s.missing.delete(seq)) {
      this.counters.recovered++;
    }
  }

  /**
   * Writes one RTCP NACK for the next stream with packets due (missing for a reorder's wait, not asked for within
   * the retry interval) into `out` at `off`; returns its length, 0 when nothing is due. Call until 0.
   */
  write(out: Buffer, off: number, senderSsrc: number, nowMs: number): number {
    for (const s of this.#streams.values()) {
      let p = off + 12;
      let pid = -1;
      let blp = 0;
      for (const [seq, m] of s.missing) {
        if (m.tries >= MAX_TRIES) {
          s.missing.delete(seq);
          this.counters.givenUp++;
          continue;
        }
        if (nowMs - m.firstMs < REORDER_WAIT_MS || nowMs - m.lastNackMs < RETRY_MS) continue;
        const sameItem = pid >= 0 && seq > pid && seq - pid <= 16;
        if (!sameItem && pid >= 0) {
          if (p + 8 - off > 1100) break; // one datagram; the rest waits for the next call
          p = writeItem(out, p, pid, blp);
        }
        m.tries++;
        m.lastNackMs = nowMs;
        this.counters.nacked++;
        if (sameItem) {
          blp |= 1 << (seq - pid - 1);
        } else {
          pid = seq;
          blp = 0;
        }
      }
      if (pid < 0) continue;
      p = writeItem(out, p, pid, blp);
      out[off] = 0x80 | 1;
      out[off + 1] = RTCP_RTPFB;
      out.writeUInt16BE((p - off) / 4 - 1, off + 2);
      out.writeUInt32BE(senderSsrc >>> 0, off + 4);
      out.writeUInt32BE(s.ssrc >>> 0, off + 8);
      return p - off;
    }
    return 0;
  }
}

function writeItem(out: Buffer, p: number, pid: number, blp: number): number {
  out.writeUInt16BE(pid & 0xffff, p);
  out.writeUInt16BE(blp, p + 2);
  return p + 4;
}

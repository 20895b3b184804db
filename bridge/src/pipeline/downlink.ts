// What the bridge does about one receiver's downlink: it numbers every packet it sends it with its own
// transport-wide sequence number (in place, before SRTP), reads the receiver's transport-cc feedback into the
// send-side estimator, builds RTX packets and probe padding, and keeps the RTX streams' sequence numbers its own.
//
// RTX sequence numbers, per receiver: a receiver sees one RTX stream per FID group, fed from two places, the
// sender's own RTX packets (forwarded when the bridge NACKed the sender) and the bridge's (NACK answers and probe
// padding). Their numbers would collide, and SRTP never protects one index twice, so every RTX packet a receiver
// gets, forwarded or built, takes the next number of that receiver's counter for that RTX SSRC. The RTX payload
// keeps the original sequence number, which is all a receiver uses RTX sequence numbers for besides SRTP.
import { BandwidthEstimator } from '../bwe/index.js';
import { TwccReport } from '../rtp/index.js';
import type { EndpointCounters } from './endpoint-counters.js';
import type { DownlinkSink } from '../forward/index.js';

/** RTP header extension ids the pipeline reads (0: not negotiated). */
export interface HeaderExtensionIds {
  transportCc: number;
}

export interface DownlinkDeps {
  readonly counters: EndpointCounters;
  readonly extensions: Readonly<HeaderExtensionIds>;
  /** The pipeline's sendRtp: stamps (at `tccAt`, -1: none), protects and sends a plain RTP packet. */
  sendRtp(buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void;
  /** The estimate moved significantly. */
  onEstimate(bps: number): void;
}

/** The estimate is reported when it moved by more than this share since the last report. */
const ESTIMATE_REPORT_CHANGE = 0.15;
/** IPv4 + UDP header bytes, and SRTP's tag (the larger of the two profiles), counted in what goes on the wire. */
const WIRE_OVERHEAD = 28 + 16;
/** Retransmissions per receiver: a bucket of this many packets, refilled at RTX_PER_S. */
const RTX_BURST = 100;
const RTX_PER_S = 200;
const PADDING_BYTES = 224;
const MAX_RTX_STREAMS = 256;

export class Downlink implements DownlinkSink {
  readonly bwe = new BandwidthEstimator({}, (Math.random() * 0x10000) | 0);
  /** The RTX stream probe padding goes on (another sender's, set by the conference; 0: none) and its type. */
  probeRtxSsrc = 0;
  probeRtxPt = -1;
  readonly #deps: DownlinkDeps;
  readonly #scratch = Buffer.allocUnsafe(1500);
  readonly #report = new TwccReport();
  #probeTimer: NodeJS.Timeout | undefined;
  #reportedEstimate = 0;
  readonly #rtxSeq = new Map<number, number>();
  #tokens = RTX_BURST;
  #tokensAt = 0;
  /** The probe cluster packets now belong to (0: none), set by the probe timer. */
  probeId = 0;
  feedbackIn = 0;
  feedbackMalformed = 0;

  constructor(deps: DownlinkDeps) {
    this.#deps = deps;
  }

  /** A sender's own RTX packet: it takes this receiver's next number on that RTX stream. */
  forwardRtx(buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void {
    if (len < 12) return;
    buf.writeUInt16BE(this.nextRtxSeq(buf.readUInt32BE(off + 8), buf.readUInt16BE(off + 2)), off + 2);
    this.#deps.sendRtp(buf, off, len, tccAt, nowMs);
  }

  /**
   * The sender's own retransmission of a packet the bridge had lost, as this receiver's RTX built from the plain
   * packet (already as the receiver gets it): no token and no answer counted, the sender paid for it.
   */
  forwardRecovered(buf: Buffer, off: number, len: number, rtxSsrc: number, rtxPt: number, tccRel: number): void {
    const n = this.writeRtx(this.#scratch, buf, off, len, rtxSsrc, rtxPt);
    if (n >= 0) this.#deps.sendRtp(this.#scratch, 0, n, tccRel, performance.now());
  }

  /** A NACK answered with RTX built from the plain packet at `buf[off..off+len)` (`tccRel`: its TCC offset). */
  sendRtx(buf: Buffer, off: number, len: number, rtxSsrc: number, rtxPt: number, tccRel: number): void {
    const counters = this.#deps.counters;
    const now = performance.now();
    if (!this.takeRtxToken(now)) {
      counters.retransmissionsRateLimited++;
      return;
    }
    const n = this.writeRtx(this.#scratch, buf, off, len, rtxSsrc, rtxPt);
    if (n < 0) return;
    counters.retransmissionsSent++;
    counters.rtxSent++;
    this.#deps.sendRtp(this.#scratch, 0, n, tccRel, now);
  }

  /** On the media timer: reports a significant change of the estimate, starts a probe's padding when one is due. */
  tick(): void {
    const est = this.bwe.estimateBps;
    if (Math.abs(est - this.#reportedEstimate) > ESTIMATE_REPORT_CHANGE * this.#reportedEstimate) {
      this.#reportedEstimate = est;
      this.#deps.onEstimate(est);
    }
    const tcc = this.#deps.extensions.transportCc;
    if (this.probeRtxSsrc === 0 || this.probeRtxPt < 0 || tcc === 0 || tcc > 14 || this.#probeTimer !== undefined)
      return;
    if (this.bwe.feedbackCount === 0) return; // no feedback yet: the receiver may not read transport-cc
    const now = performance.now();
    this.bwe.tick(now);
    if (this.bwe.probes.activeId(now) === 0) return;
    // Padding on a 2 ms timer for the cluster's few tens of milliseconds, then the timer goes.
    this.#probeTimer = setInterval(() => this.#sendProbePadding(tcc), 2);
  }

  close(): void {
    clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
    this.probeRtxSsrc = 0;
  }

  #sendProbePadding(tcc: number): void {
    const now = performance.now();
    const probes = this.bwe.probes;
    const id = this.probeRtxSsrc === 0 ? 0 : probes.activeId(now);
    this.probeId = id;
    if (id === 0) {
      clearInterval(this.#probeTimer);
      this.#probeTimer = undefined;
      return;
    }
    for (let k = 0; k < 16 && probes.owedBytes(now) > 0; k++) {
      const n = this.writePadding(this.#scratch, this.probeRtxSsrc, this.probeRtxPt, tcc);
      this.#deps.counters.paddingSent++;
      this.#deps.sendRtp(this.#scratch, 0, n, 17, now);
    }
  }

  /** Hot path: writes this receiver's next transport-wide sequence number at `tccAt` and records the packet. */
  stamp(buf: Buffer, tccAt: number, len: number, nowMs: number): void {
    buf.writeUInt16BE(this.bwe.onSent(len + WIRE_OVERHEAD, nowMs, this.probeId), tccAt);
  }

  /** The next sequence number of RTX stream `ssrc` for this receiver (see the file comment). */
  nextRtxSeq(ssrc: number, fallback: number): number {
    const seq = this.#rtxSeq.get(ssrc) ?? fallback;
    // Streams of senders long gone are forgotten first (insertion order); a conference has far fewer.
    if (this.#rtxSeq.size >= MAX_RTX_STREAMS && !this.#rtxSeq.has(ssrc))
      this.#rtxSeq.delete(this.#rtxSeq.keys().next().value!);
    this.#rtxSeq.set(ssrc, (seq + 1) & 0xffff);
    return seq;
  }

  /** One retransmission token, refilled over time; false when the receiver asks for more than the rate allows. */
  takeRtxToken(nowMs: number): boolean {
    this.#tokens = Math.min(RTX_BURST, this.#tokens + ((nowMs - this.#tokensAt) * RTX_PER_S) / 1000);
    this.#tokensAt = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  /** A transport-cc feedback packet from the receiver (RTCP at `off`, `len` bytes). */
  onFeedback(buf: Buffer, off: number, len: number): void {
    this.#deps.counters.twccFeedbackIn++;
    const nowMs = performance.now();
    if (!this.#report.read(buf, off, len)) {
      this.feedbackMalformed++;
      return;
    }
    this.feedbackIn++;
    this.bwe.onFeedback(this.#report, nowMs);
  }

  /**
   * Writes into `out` the RTX packet (RFC 4588 §4) for the plain packet at `src[off..off+len)`: its header with
   * the RTX SSRC, payload type and this receiver's next RTX sequence number, then the original sequence number,
   * then the original payload (padding dropped). Returns the length, or -1 when the packet is malformed.
   */
  writeRtx(out: Buffer, src: Buffer, off: number, len: number, rtxSsrc: number, rtxPt: number): number {
    const b0 = src[off]!;
    let header = 12 + 4 * (b0 & 0x0f);
    if ((b0 & 0x10) !== 0) {
      if (header + 4 > len) return -1;
      header += 4 + 4 * src.readUInt16BE(off + header + 2);
    }
    let end = len;
    if ((b0 & 0x20) !== 0) end -= src[off + len - 1]!;
    if (header > end || end + 2 > out.length) return -1;
    src.copy(out, 0, off, off + header);
    out[0] = b0 & ~0x20;
    out[1] = (src[off + 1]! & 0x80) | rtxPt;
    out.writeUInt16BE(this.nextRtxSeq(rtxSsrc, src.readUInt16BE(off + 2)), 2);
    out.writeUInt32BE(rtxSsrc >>> 0, 8);
    out.writeUInt16BE(src.readUInt16BE(off + 2), header);
    src.copy(out, header + 2, off + header, off + end);
    return header + 2 + end - header;
  }

  /**
   * Writes a padding-only RTX packet (a probe) with a one-byte transport-cc element of id `tccId` (1-14); returns
   * its length; the sequence number goes at offset 17.
   */
  writePadding(out: Buffer, rtxSsrc: number, rtxPt: number, tccId: number): number {
    out[0] = 0x80 | 0x20 | 0x10; // V=2, padding, extension
    out[1] = rtxPt & 0x7f;
    out.writeUInt16BE(this.nextRtxSeq(rtxSsrc, (Math.random() * 0x10000) | 0), 2);
    out.writeUInt32BE(0, 4);
    out.writeUInt32BE(rtxSsrc >>> 0, 8);
    out.writeUInt32BE(0xbede0001, 12);
    out[16] = (tccId << 4) | 1;
    out.writeUInt16BE(0, 17);
    out[19] = 0;
    out.fill(0, 20, 20 + PADDING_BYTES - 1);
    out[20 + PADDING_BYTES - 1] = PADDING_BYTES;
    return 20 + PADDING_BYTES;
  }
}

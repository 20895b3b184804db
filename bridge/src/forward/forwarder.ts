// Per packet, after SRTP: look up the route by SSRC and hand the packet to each ready receiver.
import {
  blankHeaderExtensions,
  PSFB_FIR,
  PSFB_PLI,
  RTCP_PSFB,
  RTCP_RTPFB,
  RTCP_SR,
  RTPFB_NACK,
  SR_LENGTH_WITHOUT_BLOCKS,
  readKeyframeRequestSsrc,
  readRtcpLength,
} from '../rtp/index.js';
import type { VideoCodec } from '../rewrite/index.js';
import { findHeaderExtension } from '../rtp/index.js';
import { newForwarderCounters, type ForwarderCounters } from './forwarder-counters.js';
import type { ForwardingTable, MediaKind, VideoSourceEntry } from './forwarding-table.js';
import type { MediaSink } from './media-sink.js';
import { VideoForwarding } from './video-forwarding.js';

export { newForwarderCounters, type ForwarderCounters } from './forwarder-counters.js';

/** Forwards one conference's packets according to its table. */
export class Forwarder {
  readonly counters: ForwarderCounters = newForwarderCounters();
  readonly #table: ForwardingTable;
  readonly #scratch = Buffer.alloc(SR_LENGTH_WITHOUT_BLOCKS);

  readonly #keyframeIntervalMs: number;
  /** One-byte header extension ids blanked before forwarding (flags by id). */
  readonly #strip = new Uint8Array(16);
  #stripAny = false;
  readonly #video: VideoForwarding;
  /** The ssrc-audio-level extension id (0: none): audio levels feed the speaker detection. */
  #audioLevel = 0;

  /** `keyframeIntervalMs`: at most one PLI/FIR per media SSRC per this interval goes to the sender. */
  constructor(table: ForwardingTable, keyframeIntervalMs = 300) {
    this.#table = table;
    this.#keyframeIntervalMs = keyframeIntervalMs;
    this.#video = new VideoForwarding(this.counters);
  }

  /** Which payload types carry which video codec (the layer switching needs to read them). */
  setVideoCodecs(byPayloadType: ReadonlyMap<number, VideoCodec>): void {
    this.#video.setCodecs(byPayloadType);
  }

  /** Asks the sender of `v` for a keyframe of `encoding` now (rate-limited per encoding). */
  requestKeyframe(v: VideoSourceEntry, encoding: number, nowMs: number): void {
    this.#video.requestKeyframe(v, encoding, nowMs);
  }

  /** The ssrc-audio-level extension id (RFC 6464), 0 for none. */
  setAudioLevelExtension(id: number): void {
    this.#audioLevel = id >= 1 && id <= 14 ? id : 0;
  }

  /**
   * Header extensions that describe the sender's hop (sdes:mid, transport-cc, abs-send-time…) must not reach
   * receivers: a receiver's browser would bind the stream to its own m-line of that mid (JVB's HeaderExtStripper).
   */
  stripHeaderExtensions(ids: readonly number[]): void {
    this.#strip.fill(0);
    for (const id of ids) if (id >= 1 && id <= 14) this.#strip[id] = 1;
    this.#stripAny = ids.length > 0;
  }

  /** The kind of `ssrc` when `from` owns it (signalled), else undefined; not for per-packet use. */
  kindOf(from: MediaSink, ssrc: number): MediaKind | undefined {
    const r = this.#table.get(ssrc);
    return r !== undefined && r.sender === from ? r.kind : undefined;
  }

  /** A decrypted RTP packet from `from`: forwarded unchanged (SSRC included) to every other ready member. */
  onRtp(from: MediaSink, buf: Buffer, off: number, len: number): void {
    this.counters.rtpIn++;
    if (len < 12 || buf[off]! >> 6 !== 2) {
      this.counters.dropMalformed++;
      return;
    }
    const route = this.#table.get(buf.readUInt32BE(off + 8));
    if (route === undefined) {
      this.counters.dropUnknownSsrc++;
      return;
    }
    if (route.sender !== from) {
      this.counters.dropNotOwner++;
      return;
    }
    if (route.forceMuted) {
      this.counters.dropForceMuted++;
      return;
    }
    if (this.#stripAny) this.counters.headerExtensionsStripped += blankHeaderExtensions(buf, off, len, this.#strip);
    if (route.video !== undefined) {
      this.#video.onRtp(route, route.video, buf, off, len);
      return;
    }
    if (route.speech !== undefined && this.#audioLevel !== 0) {
      const at = findHeaderExtension(buf, off, len, this.#audioLevel, 1);
      if (at >= 0) route.speech.onLevel(buf[at]! & 0x7f);
    }
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const sink = targets[i]!.sink;
      if (!sink.ready) continue;
      sink.sendRtp(buf, off, len);
      this.counters.rtpForwarded++;
    }
  }

  /**
   * A decrypted RTCP compound from `from`. SRs go on to the stream's receivers without report blocks,
   * PLI/FIR go to the sender of the media SSRC, the rest (RR, SDES, BYE, NACK, TCC, REMB, XR) ends here.
   */
  onRtcp(from: MediaSink, buf: Buffer, off: number, len: number): void {
    const end = off + len;
    let p = off;
    while (p < end) {
      const n = readRtcpLength(buf, p, end);
      if (n < 0) {
        this.counters.dropMalformed++;
        return;
      }
      const pt = buf[p + 1]!;
      if (pt === RTCP_SR && n >= SR_LENGTH_WITHOUT_BLOCKS) this.#onSr(from, buf, p);
      else if (pt === RTCP_PSFB && ((buf[p]! & 0x1f) === PSFB_PLI || (buf[p]! & 0x1f) === PSFB_FIR))
        this.#onKeyframeRequest(from, buf, p, n);
      else if (pt === RTCP_RTPFB && (buf[p]! & 0x1f) === RTPFB_NACK && n >= 16) this.#onNack(from, buf, p, n);
      else this.counters.rtcpTerminated++;
      p += n;
    }
  }

  /** RFC 4585 §6.2.1: a receiver lost these; its own pipeline resends them from what it sent (never the sender). */
  #onNack(from: MediaSink, buf: Buffer, p: number, n: number): void {
    const media = buf.readUInt32BE(p + 8);
    for (let q = p + 12; q + 4 <= p + n; q += 4) {
      this.counters.nackItemsReceived++;
      from.retransmit(media, buf.readUInt16BE(q), buf.readUInt16BE(q + 2));
    }
  }

  #onSr(from: MediaSink, buf: Buffer, p: number): void {
    const ssrc = buf.readUInt32BE(p + 4);
    from.noteSenderReport(ssrc, buf.readUInt32BE(p + 10));
    const route = this.#table.get(ssrc);
    if (route === undefined || route.sender !== from) {
      this.counters.rtcpTerminated++;
      return;
    }
    if (route.forceMuted) {
      this.counters.dropForceMuted++;
      return;
    }
    // PROTOCOL.md §8: SR passed on with its report blocks stripped (they describe what the sender received).
    const sr = this.#scratch;
    buf.copy(sr, 0, p, p + SR_LENGTH_WITHOUT_BLOCKS);
    sr[0] = 0x80;
    sr.writeUInt16BE(SR_LENGTH_WITHOUT_BLOCKS / 4 - 1, 2);
    if (route.video !== undefined) {
      this.#video.onSr(route, sr, SR_LENGTH_WITHOUT_BLOCKS);
      return;
    }
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const sink = targets[i]!.sink;
      if (!sink.ready) continue;
      sink.sendRtcp(sr, 0, SR_LENGTH_WITHOUT_BLOCKS);
      this.counters.srForwarded++;
    }
  }

  #onKeyframeRequest(from: MediaSink, buf: Buffer, p: number, n: number): void {
    const media = readKeyframeRequestSsrc(buf, p, n);
    let route = media < 0 ? undefined : this.#table.get(media);
    if (route === undefined || route.sender === from || !route.sender.ready) {
      this.counters.dropNoSender++;
      return;
    }
    const v = route.video;
    if (v !== undefined) {
      // The receiver asks for the SSRC it knows; the sender must hear of the encoding it actually gets.
      const rw = this.#table.rewriter(from, v.name);
      const enc = rw === undefined ? 0 : rw.encoding >= 0 ? rw.encoding : Math.max(0, rw.targetEncoding);
      route = v.encodings[enc] ?? route;
      buf.writeUInt32BE(route.ssrc, (buf[p]! & 0x1f) === PSFB_FIR ? p + 12 : p + 8);
    }
    // Several receivers ask at once after a loss or a join; JVB passes one per stream per interval.
    const now = Date.now();
    if (now - route.lastKeyframeRequestAt < this.#keyframeIntervalMs) {
      this.counters.dropKeyframeRateLimited++;
      return;
    }
    route.lastKeyframeRequestAt = now;
    route.sender.sendRtcp(buf, p, n);
    this.counters.keyframeRequestsForwarded++;
  }
}

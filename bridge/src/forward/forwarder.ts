// Per packet, after SRTP: look up the route by SSRC and hand the packet to each ready receiver.
import {
  blankHeaderExtensions,
  findHeaderExtension,
  PSFB_FIR,
  PSFB_PLI,
  RTCP_PSFB,
  RTCP_RTPFB,
  RTCP_SR,
  RTPFB_NACK,
  RTPFB_TWCC,
  SR_LENGTH_WITHOUT_BLOCKS,
  readKeyframeRequestSsrc,
  readRtcpLength,
} from '../rtp/index.js';
import type { VideoCodec } from '../rewrite/index.js';
import { newForwarderCounters, type ForwarderCounters } from './forwarder-counters.js';
import type { ForwardingTable, MediaKind, Route, RouteTarget, VideoSourceEntry } from './forwarding-table.js';

/** Older packets are not resent as RTX (a receiver's jitter buffer gave up on them). */
const RTX_MAX_AGE_MS = 1000;
import type { MediaSink } from './media-sink.js';
import { VideoForwarding } from './video-forwarding.js';

export { newForwarderCounters, type ForwarderCounters } from './forwarder-counters.js';

/** Forwards one conference's packets according to its table. */
export class Forwarder {
  readonly counters: ForwarderCounters = newForwarderCounters();
  readonly #table: ForwardingTable;
  readonly #scratch = Buffer.alloc(SR_LENGTH_WITHOUT_BLOCKS);

  readonly #keyframeIntervalMs: number;
  /** RTX payload type by original payload type (apt), -1 when none: NACKs are answered with RTX when set. */
  readonly #rtxPtFor = new Int16Array(128).fill(-1);
  /** One-byte header extension ids blanked before forwarding (flags by id). */
  readonly #strip = new Uint8Array(256);
  #stripAny = false;
  #stripIds: readonly number[] = [];
  /** The transport-wide sequence number id (0: none): kept, and stamped per receiver by its pipeline. */
  #tccId = 0;
  readonly #video: VideoForwarding;
  /** The ssrc-audio-level extension id (0: none): audio levels feed the speaker detection. */
  #audioLevel = 0;
  /** A cached packet as one receiver's rewriter forwarded it, for an RTX answer. */
  readonly #resend = Buffer.alloc(1500);

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

  /** The AV1 dependency descriptor extension id, 0 for none (AV1 SVC layers are read from it). */
  setDependencyDescriptorExtension(id: number): void {
    this.#video.setDependencyDescriptorExtension(id);
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
    this.#stripIds = [...ids];
    this.#updateStrip();
  }

  /**
   * The transport-wide sequence number extension (0: none). It describes a hop too, but rather than blanking it
   * the forwarder leaves the element in place and each receiver's pipeline writes its own sequence number into it
   * (the offer's numbering is the same for every endpoint of the conference).
   */
  setTransportCcExtension(id: number): void {
    this.#tccId = id >= 1 && id <= 255 ? id : 0;
    this.#updateStrip();
  }

  /** The offer's RTX payload types: `apt` (original payload type) -> RTX payload type. */
  setRtxPayloadTypes(map: ReadonlyMap<number, number>): void {
    this.#rtxPtFor.fill(-1);
    for (const [apt, pt] of map) if (apt >= 0 && apt < 128 && pt >= 0 && pt < 128) this.#rtxPtFor[apt] = pt;
    this.#video.setRtxPayloadTypes(map);
  }

  /** An RTX payload type of the offer (the first), for probe padding; -1 when RTX is not negotiated. */
  get anyRtxPayloadType(): number {
    for (const pt of this.#rtxPtFor) if (pt >= 0) return pt;
    return -1;
  }

  #updateStrip(): void {
    this.#strip.fill(0);
    let any = false;
    for (const id of this.#stripIds)
      if (id >= 1 && id <= 255 && id !== this.#tccId) {
        this.#strip[id] = 1;
        any = true;
      }
    this.#stripAny = any;
  }

  /** The kind of `ssrc` when `from` owns it (signalled), else undefined; not for per-packet use. */
  kindOf(from: MediaSink, ssrc: number): MediaKind | undefined {
    const r = this.#table.get(ssrc);
    return r !== undefined && r.sender === from ? r.kind : undefined;
  }

  /** The primary SSRC when `ssrc` is the RTX SSRC of one of `from`'s FID groups, else 0; not for per-packet use. */
  rtxPrimaryOf(from: MediaSink, ssrc: number): number {
    const r = this.#table.get(ssrc);
    return r !== undefined && r.sender === from && r.isRtx ? this.#table.primaryOf(ssrc) : 0;
  }

  /** A decrypted RTP packet from `from`: forwarded unchanged (SSRC included) to every other ready member. */
  onRtp(from: MediaSink, buf: Buffer, off: number, len: number, nowMs = performance.now()): void {
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
    const tccAt = this.#tccId === 0 ? -1 : findHeaderExtension(buf, off, len, this.#tccId, 2);
    if (route.video !== undefined) {
      // The cache keeps the sender's packet as it came (its own numbering); each receiver gets its rewriter's.
      if (!route.isRtx) route.cache?.store(buf, off, len, nowMs);
      this.#video.onRtp(route, route.video, buf, off, len, tccAt, nowMs);
      return;
    }
    let level = -1;
    if (this.#audioLevel !== 0) {
      const at = findHeaderExtension(buf, off, len, this.#audioLevel, 1);
      if (at >= 0) level = buf[at]! & 0x7f;
      if (level >= 0) route.speech?.onLevel(level);
    }
    const targets = route.targets;
    if (route.isRtx) {
      for (let i = 0; i < targets.length; i++) {
        const sink = targets[i]!.sink;
        if (!sink.ready) continue;
        sink.downlink.forwardRtx(buf, off, len, tccAt, nowMs);
        this.counters.rtpForwarded++;
      }
      return;
    }
    route.cache?.store(buf, off, len, nowMs);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (!t.sink.ready) continue;
      if (t.ssrcs !== undefined) this.#sendAudioRewritten(t, route, level, buf, off, len, tccAt, nowMs);
      else {
        t.sink.sendRtp(buf, off, len, tccAt, nowMs);
        this.counters.rtpForwarded++;
      }
    }
  }

  /**
   * SSRC rewriting: an audio packet on the receiver's slot for its source (taking one, announced, when it has
   * none), then the sender's own numbers back for the other receivers.
   */
  #sendAudioRewritten(
    t: RouteTarget,
    route: Route,
    level: number,
    buf: Buffer,
    off: number,
    len: number,
    tccAt: number,
    nowMs: number,
  ): void {
    const slot = t.ssrcs!.audioSlot(route.ssrc, route.name, route.ownerId, level);
    if (slot === undefined) {
      this.counters.audioNotMapped++;
      return;
    }
    const seq = buf.readUInt16BE(off + 2);
    const ts = buf.readUInt32BE(off + 4);
    slot.rewrite(buf, off, nowMs);
    t.sink.sendRtp(buf, off, len, tccAt, nowMs);
    this.counters.rtpForwarded++;
    buf.writeUInt16BE(seq, off + 2);
    buf.writeUInt32BE(ts, off + 4);
    buf.writeUInt32BE(route.ssrc, off + 8);
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
      else if (pt === RTCP_RTPFB && (buf[p]! & 0x1f) === RTPFB_TWCC) {
        from.downlink.onFeedback(buf, p, n);
        this.counters.rtcpTerminated++;
      } else this.counters.rtcpTerminated++;
      p += n;
    }
  }

  /**
   * RFC 4585 §6.2.1: a receiver lost these; the bridge resends them (never asks the sender): as RTX from the
   * stream's cache when the offer has RTX for it, else (or when the cache lost it) the very packets its pipeline sent.
   * A video receiver NACKs its rewriter's numbers: they are translated back to the sender's before the lookup.
   */
  #onNack(from: MediaSink, buf: Buffer, p: number, n: number): void {
    const media = buf.readUInt32BE(p + 8);
    const route = this.#table.get(media) ?? this.#slotRoute(from, media);
    const known = route !== undefined && route.sender !== from ? route : undefined;
    const v = known?.video;
    // Without an RTX stream the receiver knows, every item goes whole to its own send ring.
    const rtx = v !== undefined ? this.#table.rewriter(from, v.name)?.rtxSsrc !== 0 : known?.cache !== undefined;
    const now = performance.now();
    for (let q = p + 12; q + 4 <= p + n; q += 4) {
      this.counters.nackItemsReceived++;
      const pid = buf.readUInt16BE(q);
      const blp = buf.readUInt16BE(q + 2);
      if (!rtx) {
        from.retransmit(media, pid, blp);
        continue;
      }
      for (let bit = -1; bit < 16; bit++) {
        if (bit >= 0 && (blp & (1 << bit)) === 0) continue;
        const seq = (pid + bit + 1) & 0xffff;
        const sent =
          v !== undefined ? this.#resendVideo(from, v, media, seq, now) : this.#resendFrom(from, known!, seq, now);
        if (!sent) from.retransmit(media, seq, 0);
      }
    }
  }

  /** An RTX answer from a plain stream's cache (no rewriting): false when it cannot be built. */
  #resendFrom(from: MediaSink, route: Route, seq: number, now: number): boolean {
    const cache = route.cache!;
    const at = cache.find(seq, now, RTX_MAX_AGE_MS);
    const rtxPt = at < 0 ? -1 : this.#rtxPtFor[cache.data[at + 1]! & 0x7f]!;
    if (rtxPt < 0) return false;
    const len = cache.lengthAt(at);
    const tcc = this.#tccId === 0 ? -1 : findHeaderExtension(cache.data, at, len, this.#tccId, 2);
    from.downlink.sendRtx(cache.data, at, len, route.rtxSsrc, rtxPt, tcc < 0 ? -1 : tcc - at);
    return true;
  }

  /**
   * An RTX answer for a video source: the receiver's sequence number `seq` mapped back through its rewriter to the
   * encoding it gets and the sender's own number, the cached packet rewritten as that receiver got it, sent on the
   * RTX SSRC the receiver knows. False when any step fails (the receiver's own send history is the fallback).
   */
  #resendVideo(from: MediaSink, v: VideoSourceEntry, media: number, seq: number, now: number): boolean {
    const rw = this.#table.rewriter(from, v.name);
    if (rw === undefined || rw.ssrc !== media || rw.rtxSsrc === 0) return false;
    const enc = rw.encoding;
    const cache = enc < 0 ? undefined : v.encodings[enc]?.cache;
    const orig = rw.originalSeq(seq);
    if (cache === undefined || orig < 0) return false;
    const at = cache.find(orig, now, RTX_MAX_AGE_MS);
    const rtxPt = at < 0 ? -1 : this.#rtxPtFor[cache.data[at + 1]! & 0x7f]!;
    if (rtxPt < 0) return false;
    const out = this.#resend;
    const len = this.#video.copyAsForwarded(rw, v, enc, cache.data, at, cache.lengthAt(at), out);
    if (len < 0) return false;
    const tcc = this.#tccId === 0 ? -1 : findHeaderExtension(out, 0, len, this.#tccId, 2);
    from.downlink.sendRtx(out, 0, len, rw.rtxSsrc, rtxPt, tcc);
    return true;
  }

  /** SSRC rewriting: the first encoding's route of the video source on `from`'s pool SSRC `ssrc`, if any. */
  #slotRoute(from: MediaSink, ssrc: number): Route | undefined {
    const slot = this.#table.ssrcsOf(from)?.videoBySsrc(ssrc);
    if (slot === undefined || slot.source === '') return undefined;
    return this.#table.videoSource(slot.source)?.encodings[0];
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
    const ts = sr.readUInt32BE(16);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (!t.sink.ready) continue;
      if (t.ssrcs !== undefined) {
        // On the receiver's slot and timeline, when its slot carries this stream now.
        const slot = t.ssrcs.audio.slotOf(route.name)?.carrier;
        const out = slot === undefined ? -1 : slot.translateTimestamp(route.ssrc, ts);
        if (out < 0) continue;
        sr.writeUInt32BE(slot!.ssrc, 4);
        sr.writeUInt32BE(out, 16);
      } else {
        sr.writeUInt32BE(route.ssrc, 4);
        sr.writeUInt32BE(ts, 16);
      }
      t.sink.sendRtcp(sr, 0, SR_LENGTH_WITHOUT_BLOCKS);
      this.counters.srForwarded++;
    }
  }

  #onKeyframeRequest(from: MediaSink, buf: Buffer, p: number, n: number): void {
    const media = readKeyframeRequestSsrc(buf, p, n);
    let route = media < 0 ? undefined : (this.#table.get(media) ?? this.#slotRoute(from, media));
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

// The video half of the forwarder: one parse per packet, then per receiver its rewriter decides and rewrites in
// place; keyframe requests for the layer a receiver waits for; RTX and SRs translated onto the receiver's stream.
import { rtpPayloadEnd, rtpPayloadOffset } from '../codecs/index.js';
import {
  SVC_AV1,
  SVC_NONE,
  newPacketMeta,
  readPacketMeta,
  type PacketMeta,
  type StreamRewriter,
  type VideoCodec,
} from '../rewrite/index.js';
import type { ForwarderCounters } from './forwarder-counters.js';
import type { Route, VideoSourceEntry } from './forwarding-table.js';

const CODECS: readonly VideoCodec[] = ['other', 'vp8', 'h264', 'vp9', 'av1'];
/** The bridge's own keyframe requests per encoding: a keyframe takes a round trip and a few frames to arrive. */
const BRIDGE_KEYFRAME_INTERVAL_MS = 1000;

/** Per conference: payload type -> codec, the shared per-packet scratch, and the keyframe request buffer. */
export class VideoForwarding {
  readonly #codecs = new Uint8Array(128);
  readonly #meta = newPacketMeta();
  readonly #pli = Buffer.alloc(12);
  /** RTX payload type -> the payload type it repairs (-1: not RTX). */
  readonly #aptFor = new Int16Array(128).fill(-1);
  /** A sender's RTX unwrapped, then as one receiver gets it. */
  readonly #original = Buffer.alloc(1500);
  readonly #recovered = Buffer.alloc(1500);
  readonly #counters: ForwarderCounters;
  /** The AV1 dependency descriptor's header extension id (0: not negotiated). */
  #ddId = 0;

  constructor(counters: ForwarderCounters) {
    this.#counters = counters;
  }

  /** Which payload types carry which codec (from the offer); others forward without layer switching. */
  setCodecs(byPayloadType: ReadonlyMap<number, VideoCodec>): void {
    this.#codecs.fill(0);
    for (const [pt, c] of byPayloadType) if (pt >= 0 && pt < 128) this.#codecs[pt] = CODECS.indexOf(c);
  }

  /** The offer's RTX payload types: `apt` (original payload type) -> RTX payload type. */
  setRtxPayloadTypes(map: ReadonlyMap<number, number>): void {
    this.#aptFor.fill(-1);
    for (const [apt, pt] of map) if (apt >= 0 && apt < 128 && pt >= 0 && pt < 128) this.#aptFor[pt] = apt;
  }

  /** The AV1 dependency descriptor extension id of the offer (0: none): AV1 SVC layers are read from it. */
  setDependencyDescriptorExtension(id: number): void {
    this.#ddId = id >= 1 && id <= 255 ? id : 0;
  }

  /** `tccAt`/`nowMs` as for MediaSink.sendRtp: each receiver's pipeline stamps its own transport-wide number. */
  onRtp(route: Route, v: VideoSourceEntry, buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void {
    const now = Date.now();
    if (route.isRtx) {
      this.#onRtx(route, v, buf, off, len, tccAt, nowMs);
      return;
    }
    const meta = this.#meta;
    const codec = CODECS[this.#codecs[buf[off + 1]! & 0x7f]!]!;
    if (!readPacketMeta(buf, off, len, codec, route.encoding, meta, v.svc, this.#ddId)) {
      this.#counters.dropMalformed++;
      return;
    }
    if (meta.svc === SVC_NONE)
      v.layers.onPacket(route.encoding, meta.temporalId, len, meta.start, meta.isVp8 ? meta.vp8.height : 0, now);
    else this.#onSvcLayers(v, meta, len, now);
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const rw = t.rewriter!;
      if (!t.sink.ready) continue;
      if (rw.rewrite(buf, off, meta, now)) {
        t.sink.sendRtp(buf, off, len, tccAt, nowMs);
        this.#counters.rtpForwarded++;
      } else this.#counters.videoNotSelected++;
      // Still waiting after this packet: the sender must send a keyframe of the encoding wanted.
      if (rw.awaitingKeyframe) this.requestKeyframe(v, rw.keyframeEncoding, now);
    }
  }

  /** An SVC packet feeds its spatial layer's rates; a keyframe tells how many layers there are and their sizes. */
  #onSvcLayers(v: VideoSourceEntry, meta: PacketMeta, len: number, now: number): void {
    const svc = v.svc!;
    if (meta.keyframe) {
      if (meta.svc === SVC_AV1 && meta.av1.structurePresent) {
        const s = svc.av1Structure;
        v.layers.setSpatialLayers(s.maxSpatialId + 1, s.heights);
      } else if (svc.vp9SpatialLayers > 0) v.layers.setSpatialLayers(svc.vp9SpatialLayers, svc.vp9Heights);
    }
    if (meta.layersUnknown) return;
    const frameStart = meta.svc === SVC_AV1 ? meta.av1.startOfFrame : meta.vp9.beginOfFrame;
    v.layers.onPacket(meta.spatialId, meta.temporalId, len, frameStart, 0, now);
  }

  /**
   * The sender's retransmission (RFC 4588) of a packet the bridge lost. Unwrapped into the original packet, it goes
   * into the encoding's cache (a receiver's later NACK finds it) and, to each receiver forwarding that encoding, as
   * that receiver got the stream (sequence number, timestamp, VP8 picture id and TL0PICIDX, all rewritten after a
   * switch) in an RTX packet on the RTX SSRC the receiver knows.
   */
  #onRtx(route: Route, v: VideoSourceEntry, buf: Buffer, off: number, len: number, tccAt: number, nowMs: number): void {
    const p = rtpPayloadOffset(buf, off, len);
    const end = p < 0 ? -1 : rtpPayloadEnd(buf, off, len, p);
    const rtxPt = buf[off + 1]! & 0x7f;
    const apt = this.#aptFor[rtxPt]!;
    const primary = v.encodings[route.encoding];
    if (end < p + 2 || apt < 0 || primary === undefined) {
      this.#counters.videoNotSelected++; // padding-only probes, or an RTX payload type the offer does not map
      return;
    }
    // The original: the RTX header with the primary's SSRC, payload type and sequence number, then the payload.
    const o = this.#original;
    const header = p - off;
    if (header + end - p - 2 > o.length) return;
    buf.copy(o, 0, off, p);
    o[0] = buf[off]! & ~0x20; // the padding stays behind
    o[1] = (buf[off + 1]! & 0x80) | apt;
    o.writeUInt16BE(buf.readUInt16BE(p), 2);
    o.writeUInt32BE(primary.ssrc >>> 0, 8);
    buf.copy(o, header, p + 2, end);
    const n = header + end - p - 2;
    primary.cache?.store(o, 0, n, nowMs);
    const osn = o.readUInt16BE(2);
    const tccRel = tccAt < 0 ? -1 : tccAt - off;
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const rw = t.rewriter!;
      // No RTX stream this receiver knows, or a packet it never got (another encoding, before a switch).
      if (!t.sink.ready || rw.rtxSsrc === 0 || rw.translateSeq(route.encoding, osn) < 0) continue;
      const m = this.copyAsForwarded(rw, v, route.encoding, o, 0, n, this.#recovered);
      if (m < 0) continue;
      t.sink.downlink.forwardRecovered(this.#recovered, 0, m, rw.rtxSsrc, rtxPt, tccRel);
      this.#counters.rtpForwarded++;
    }
  }

  /** An SR of a video encoding: to each receiver forwarding that encoding, on its SSRC and timeline. */
  onSr(route: Route, sr: Buffer, len: number): void {
    if (route.isRtx) {
      this.#counters.rtcpTerminated++;
      return;
    }
    const ts = sr.readUInt32BE(16);
    const targets = route.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const out = t.rewriter!.translateTimestamp(route.encoding, ts);
      if (out < 0 || !t.sink.ready) continue;
      sr.writeUInt32BE(t.rewriter!.ssrc, 4);
      sr.writeUInt32BE(out, 16);
      t.sink.sendRtcp(sr, 0, len);
      this.#counters.srForwarded++;
    }
  }

  /**
   * Copies the sender's packet `src[at..at+len)` of `encoding` into `out` as `rw` forwarded it (SSRC, sequence
   * number, timestamp, VP8 fields), for an RTX answer; its length, or -1 when `rw` does not forward that encoding.
   */
  copyAsForwarded(
    rw: StreamRewriter,
    v: VideoSourceEntry,
    encoding: number,
    src: Buffer,
    at: number,
    len: number,
    out: Buffer,
  ): number {
    if (len > out.length) return -1;
    src.copy(out, 0, at, at + len);
    const meta = this.#meta;
    const codec = CODECS[this.#codecs[out[1]! & 0x7f]!]!;
    if (!readPacketMeta(out, 0, len, codec, encoding, meta, v.svc, this.#ddId, false)) return -1;
    return rw.rewriteCopy(out, 0, meta) ? len : -1;
  }

  /**
   * Asks the sender of `v` for a keyframe of `encoding`: only while that encoding flows (a paused one answers
   * nothing, and keyframes cost the sender's uplink), at most one per second per encoding.
   */
  requestKeyframe(v: VideoSourceEntry, encoding: number, now: number): void {
    const route = v.encodings[encoding];
    if (route === undefined || !v.sender.ready || !v.layers.isActive(encoding, now)) return;
    if (now - route.lastKeyframeRequestAt < BRIDGE_KEYFRAME_INTERVAL_MS) return;
    route.lastKeyframeRequestAt = now;
    const b = this.#pli;
    b[0] = 0x81; // V=2, FMT=1 (PLI), RFC 4585 §6.3.1
    b[1] = 206;
    b.writeUInt16BE(2, 2);
    b.writeUInt32BE(v.sender.feedbackSsrc ?? 0, 4);
    b.writeUInt32BE(route.ssrc, 8);
    v.sender.sendRtcp(b, 0, 12);
    this.#counters.keyframeRequestsSent++;
  }
}

// One receiver's view of one video source: the chosen encoding and temporal layer, forwarded on the SSRC the
// receiver knows with continuous sequence numbers, timestamps, VP8 picture ids and TL0PICIDX (PROTOCOL.md §8).
// An SVC source (one encoding, VP9/AV1 layers in band) has its layers chosen by an SvcFilter instead: the target
// "encoding" is then the spatial layer. Per packet: arithmetic and in-place writes only.
import { writeVp8PictureId, writeVp8Tl0PicIdx } from '../codecs/index.js';
import { SVC_NONE, type PacketMeta } from './packet-meta.js';
import { picIdDiff, seqDiff } from './seq-math.js';
import { SvcFilter } from './svc-filter.js';

/** Nothing forwarded (constraint 0, outside last-N, or no encoding chosen yet). */
export const NO_ENCODING = -1;

/** Timestamp step assumed across a switch when no better one is known: one frame at 30 fps on the 90 kHz clock. */
const SWITCH_TS_STEP = 3000;

export interface RewriterCounters {
  forwarded: number;
  /** Dropped: another encoding than the one forwarded, or while waiting for a keyframe. */
  droppedOtherEncoding: number;
  droppedTemporal: number;
  /** SVC: frames of layers (or decode targets) the receiver does not get. */
  droppedLayer: number;
  /** Too old to map after a switch or a drop. */
  droppedStale: number;
  switches: number;
}

/** Per receiver per source rewriting state; created on signalling, used per packet. */
export class StreamRewriter {
  /**
   * The SSRC the receiver was told (the first SIM SSRC), or with SSRC rewriting its pool slot's (0: no slot, nothing
   * forwarded); and the RTX SSRC it knows for it (0: none).
   */
  ssrc: number;
  rtxSsrc: number;
  readonly counters: RewriterCounters = {
    forwarded: 0,
    droppedOtherEncoding: 0,
    droppedTemporal: 0,
    droppedLayer: 0,
    droppedStale: 0,
    switches: 0,
  };
  /** What the allocator wants: an encoding index (or NO_ENCODING) and the highest temporal id (-1: all). */
  #targetEncoding = NO_ENCODING;
  #targetTemporal = -1;
  #encoding = NO_ENCODING;
  #temporal = -1;
  /** Output = input + delta, per field, for the encoding being forwarded. */
  #seqDelta = 0;
  #tsDelta = 0;
  #picDelta = 0;
  #tl0Delta = 0;
  /** Newest input sequence number of the forwarded encoding, and where the mapping last changed. */
  #highestSeqIn = 0;
  #mappingFromSeq = 0;
  /** Newest output values, to continue from on a switch. */
  #started = false;
  #lastSeqOut = 0;
  #lastTsOut = 0;
  #lastPicOut = 0;
  #lastTl0Out = 0;
  #lastOutAt = 0;
  /** Made on the first SVC packet: from then on the target encoding is a spatial layer. */
  #svc: SvcFilter | undefined;

  constructor(ssrc: number, rtxSsrc = 0) {
    this.ssrc = ssrc >>> 0;
    this.rtxSsrc = rtxSsrc >>> 0;
  }

  /**
   * SSRC rewriting: this source now goes out on a pool slot's SSRCs, which `previous` (another source's rewriter, or
   * none) wrote last; its stream continues from there at this source's next keyframe.
   */
  rebind(ssrc: number, rtxSsrc: number, previous: StreamRewriter | undefined): void {
    this.ssrc = ssrc >>> 0;
    this.rtxSsrc = rtxSsrc >>> 0;
    this.#encoding = NO_ENCODING;
    const p = previous;
    if (p === this) return; // back on the slot it wrote last: its own numbering goes on
    this.#started = p !== undefined && p.#started;
    if (p === undefined) return;
    this.#lastSeqOut = p.#lastSeqOut;
    this.#lastTsOut = p.#lastTsOut;
    this.#lastPicOut = p.#lastPicOut;
    this.#lastTl0Out = p.#lastTl0Out;
    this.#lastOutAt = p.#lastOutAt;
  }

  /** SSRC rewriting: the source lost its slot; nothing is forwarded until it gets one again. */
  unbind(): void {
    this.ssrc = 0;
    this.rtxSsrc = 0;
    this.setTarget(NO_ENCODING);
  }

  get targetEncoding(): number {
    return this.#targetEncoding;
  }

  /** The encoding being forwarded now (NO_ENCODING when none). */
  get encoding(): number {
    return this.#encoding;
  }

  /** Waiting for a keyframe of another encoding than the one forwarded: the caller should ask the sender for one. */
  get awaitingKeyframe(): boolean {
    if (this.#targetEncoding === NO_ENCODING) return false;
    if (this.#svc !== undefined) return this.#encoding === NO_ENCODING || this.#svc.needsKeyframe;
    return this.#targetEncoding !== this.#encoding;
  }

  /** The encoding whose keyframe `awaitingKeyframe` waits for (an SVC source has only its first). */
  get keyframeEncoding(): number {
    return this.#svc !== undefined ? 0 : this.#targetEncoding;
  }

  /** SVC: the spatial layer / AV1 decode target forwarded now (-1: none or not SVC). */
  get svcSpatial(): number {
    return this.#svc?.spatial ?? -1;
  }

  get svcDecodeTarget(): number {
    return this.#svc?.decodeTarget ?? -1;
  }

  /**
   * Sets what to forward. Turning off takes effect at once; another encoding waits for its keyframe (simulcast
   * encodings are independent streams); the temporal layer changes at the next frame that allows it.
   */
  setTarget(encoding: number, temporal = -1): void {
    this.#targetEncoding = encoding;
    this.#targetTemporal = temporal;
    if (encoding === NO_ENCODING) {
      this.#encoding = NO_ENCODING;
      this.#svc?.reset();
    }
  }

  /**
   * Decides one packet and, when forwarded, rewrites SSRC, sequence number, timestamp (and VP8 fields) in place.
   * Returns true to forward. `nowMs` sizes the timestamp step across a switch.
   */
  rewrite(buf: Buffer, off: number, meta: PacketMeta, nowMs: number): boolean {
    if (meta.svc !== SVC_NONE) return this.#rewriteSvc(buf, off, meta, nowMs);
    const e = meta.encoding;
    if (e !== this.#encoding) {
      if (!this.#canSwitchTo(e, meta)) {
        this.counters.droppedOtherEncoding++;
        return false;
      }
      this.#switchTo(e, meta, nowMs);
    }
    const d = seqDiff(meta.seq, this.#highestSeqIn);
    if (d <= 0 && seqDiff(meta.seq, this.#mappingFromSeq) < 0) {
      // Older than the last change of mapping: its output number is unknown (or belongs to the old encoding).
      this.counters.droppedStale++;
      return false;
    }
    if (meta.start) this.#updateTemporal(meta);
    if (this.#temporal >= 0 && meta.temporalId > this.#temporal) {
      if (d > 0) this.#closeGap(meta.seq);
      this.counters.droppedTemporal++;
      return false;
    }
    return this.#forward(buf, off, meta, nowMs, d, meta.marker);
  }

  /** An SVC packet: the same sequence numbering, layers chosen by the filter, the marker where its frames end. */
  #rewriteSvc(buf: Buffer, off: number, meta: PacketMeta, nowMs: number): boolean {
    const f = (this.#svc ??= new SvcFilter());
    if (this.#targetEncoding === NO_ENCODING) {
      this.counters.droppedOtherEncoding++;
      return false;
    }
    if (this.#encoding !== meta.encoding) {
      if (!meta.keyframe || !meta.start) {
        this.counters.droppedOtherEncoding++;
        return false;
      }
      f.reset();
      this.#switchTo(meta.encoding, meta, nowMs);
    }
    const d = seqDiff(meta.seq, this.#highestSeqIn);
    if (d <= 0 && seqDiff(meta.seq, this.#mappingFromSeq) < 0) {
      this.counters.droppedStale++;
      return false;
    }
    if (!f.accept(meta, this.#targetEncoding, this.#targetTemporal)) {
      if (d > 0) this.#closeGap(meta.seq);
      this.counters.droppedLayer++;
      return false;
    }
    return this.#forward(buf, off, meta, nowMs, d, f.marker(meta, this.#targetEncoding));
  }

  /** Close the gap of a dropped packet so the receiver does not NACK what we chose not to send. */
  #closeGap(seq: number): void {
    this.#highestSeqIn = seq;
    this.#mappingFromSeq = seq;
    this.#seqDelta = (this.#seqDelta - 1) & 0xffff;
  }

  /** Rewrites a packet that is forwarded (`d`: its distance to the newest one), with `marker` as its RTP marker. */
  #forward(buf: Buffer, off: number, meta: PacketMeta, nowMs: number, d: number, marker: boolean): boolean {
    if (d > 0) this.#highestSeqIn = meta.seq;
    const seqOut = (meta.seq + this.#seqDelta) & 0xffff;
    const tsOut = (meta.ts + this.#tsDelta) >>> 0;
    // The usual case (one encoding, never switched) changes nothing: no writes, unless another receiver's did.
    let same = seqOut === meta.seq && tsOut === meta.ts && this.ssrc === meta.ssrc && marker === meta.marker;
    let pic = -1;
    let tl0 = -1;
    if (meta.isVp8) {
      const v = meta.vp8;
      if (v.pictureId >= 0) {
        pic = (v.pictureId + this.#picDelta) & 0x7fff;
        if (!this.#started || picIdDiff(pic, this.#lastPicOut) > 0) this.#lastPicOut = pic;
        same &&= pic === v.pictureId;
      }
      if (v.tl0PicIdx >= 0) {
        tl0 = (v.tl0PicIdx + this.#tl0Delta) & 0xff;
        if (!this.#started || ((tl0 - this.#lastTl0Out) & 0xff) < 128) this.#lastTl0Out = tl0;
        same &&= tl0 === v.tl0PicIdx;
      }
    }
    if (!same || meta.dirty) {
      buf[off + 1] = (buf[off + 1]! & 0x7f) | (marker ? 0x80 : 0);
      buf.writeUInt32BE(this.ssrc, off + 8);
      buf.writeUInt16BE(seqOut, off + 2);
      buf.writeUInt32BE(tsOut, off + 4);
      if (pic >= 0) writeVp8PictureId(buf, meta.vp8, pic);
      if (tl0 >= 0) writeVp8Tl0PicIdx(buf, meta.vp8, tl0);
      meta.dirty = !same;
    }
    if (!this.#started || seqDiff(seqOut, this.#lastSeqOut) > 0) {
      this.#lastSeqOut = seqOut;
      this.#lastTsOut = tsOut;
      this.#lastOutAt = nowMs;
    }
    this.#started = true;
    this.counters.forwarded++;
    return true;
  }

  /**
   * The RTP timestamp of an SR of `encoding` on the receiver's timeline, or -1 when that encoding is not the one
   * forwarded (its SR describes a stream the receiver does not get).
   */
  translateTimestamp(encoding: number, ts: number): number {
    if (encoding !== this.#encoding || this.#encoding === NO_ENCODING) return -1;
    return (ts + this.#tsDelta) >>> 0;
  }

  /** A sequence number of `encoding` on the receiver's numbering (RTX OSN), -1 when not forwarded or too old. */
  translateSeq(encoding: number, seq: number): number {
    if (encoding !== this.#encoding || this.#encoding === NO_ENCODING) return -1;
    if (seqDiff(seq, this.#mappingFromSeq) < 0 || seqDiff(seq, this.#highestSeqIn) > 0) return -1;
    return (seq + this.#seqDelta) & 0xffff;
  }

  /**
   * The sender's sequence number of the forwarded encoding for `seqOut` on the receiver's numbering (a NACKed
   * packet), -1 when it predates the last change of mapping (or nothing is forwarded).
   */
  originalSeq(seqOut: number): number {
    if (this.#encoding === NO_ENCODING || !this.#started) return -1;
    const seq = (seqOut - this.#seqDelta) & 0xffff;
    if (seqDiff(seq, this.#mappingFromSeq) < 0 || seqDiff(seq, this.#highestSeqIn) > 0) return -1;
    return seq;
  }

  /**
   * Writes an earlier packet of the forwarded encoding (a copy, for an RTX answer) as this receiver got it, without
   * changing any state; false when `meta.encoding` is not the one forwarded.
   */
  rewriteCopy(buf: Buffer, off: number, meta: PacketMeta): boolean {
    if (meta.encoding !== this.#encoding || this.#encoding === NO_ENCODING) return false;
    if (meta.svc !== SVC_NONE && this.#svc !== undefined) {
      const m = this.#svc.marker(meta, this.#targetEncoding);
      buf[off + 1] = (buf[off + 1]! & 0x7f) | (m ? 0x80 : 0);
    }
    buf.writeUInt32BE(this.ssrc, off + 8);
    buf.writeUInt16BE((meta.seq + this.#seqDelta) & 0xffff, off + 2);
    buf.writeUInt32BE((meta.ts + this.#tsDelta) >>> 0, off + 4);
    if (meta.isVp8) {
      const v = meta.vp8;
      if (v.pictureId >= 0) writeVp8PictureId(buf, v, (v.pictureId + this.#picDelta) & 0x7fff);
      if (v.tl0PicIdx >= 0) writeVp8Tl0PicIdx(buf, v, (v.tl0PicIdx + this.#tl0Delta) & 0xff);
    }
    return true;
  }

  #canSwitchTo(e: number, meta: PacketMeta): boolean {
    const target = this.#targetEncoding;
    if (target === NO_ENCODING || this.ssrc === 0 || !meta.keyframe || !meta.start) return false;
    const cur = this.#encoding;
    // A keyframe of the target, or of an encoding between the current one and the target.
    if (e === target) return true;
    if (cur === NO_ENCODING) return e < target;
    return cur < target ? e > cur && e < target : e < cur && e > target;
  }

  #switchTo(e: number, meta: PacketMeta, nowMs: number): void {
    this.#encoding = e;
    this.counters.switches++;
    this.#highestSeqIn = meta.seq;
    this.#mappingFromSeq = meta.seq;
    this.#temporal = this.#targetTemporal;
    if (!this.#started) {
      // The first stream keeps its own numbers where it can (SSRC aside): nothing to be continuous with.
      this.#seqDelta = 0;
      this.#tsDelta = 0;
      this.#picDelta = 0;
      this.#tl0Delta = 0;
      return;
    }
    const step = Math.max(1, Math.min(Math.round((nowMs - this.#lastOutAt) * 90), 90_000)) || SWITCH_TS_STEP;
    this.#seqDelta = (this.#lastSeqOut + 1 - meta.seq) & 0xffff;
    this.#tsDelta = (this.#lastTsOut + step - meta.ts) >>> 0;
    if (meta.isVp8) {
      const v = meta.vp8;
      if (v.pictureId >= 0) this.#picDelta = (this.#lastPicOut + 1 - v.pictureId) & 0x7fff;
      if (v.tl0PicIdx >= 0) this.#tl0Delta = (this.#lastTl0Out + 1 - v.tl0PicIdx) & 0xff;
    }
  }

  /** Temporal down at once (at a frame start); up only at a keyframe or a layer sync frame (VP8's Y bit). */
  #updateTemporal(meta: PacketMeta): void {
    const want = this.#targetTemporal;
    if (want === this.#temporal) return;
    const up = want < 0 || (this.#temporal >= 0 && want > this.#temporal);
    if (!up || meta.keyframe || meta.layerSync) this.#temporal = want;
  }
}

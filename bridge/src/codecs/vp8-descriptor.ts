// VP8 RTP payload descriptor (RFC 7741 §4.2) read and rewritten in place, plus the keyframe size (RFC 6386 §9.1).

/** What one packet's descriptor says; one instance is reused for every packet (no allocation per packet). */
export interface Vp8Info {
  /** The first packet of a frame (S=1, partition index 0). */
  start: boolean;
  /** A keyframe's first packet (P=0 in the VP8 payload header). */
  keyframe: boolean;
  /** -1 when absent. */
  pictureId: number;
  /** Offset of the picture id field, its width in bits (7 or 15); 0 when absent. */
  pictureIdOffset: number;
  pictureIdBits: number;
  /** TL0PICIDX, -1 when absent; its offset (0 when absent). */
  tl0PicIdx: number;
  tl0PicIdxOffset: number;
  /** Temporal layer id, -1 when absent. */
  temporalId: number;
  /** Layer sync (Y): this frame depends only on temporal layer 0. */
  layerSync: boolean;
  /** Keyframe dimensions (0 unless a keyframe's first packet). */
  width: number;
  height: number;
}

export function newVp8Info(): Vp8Info {
  return {
    start: false,
    keyframe: false,
    pictureId: -1,
    pictureIdOffset: 0,
    pictureIdBits: 0,
    tl0PicIdx: -1,
    tl0PicIdxOffset: 0,
    temporalId: -1,
    layerSync: false,
    width: 0,
    height: 0,
  };
}

/** Reads the descriptor at `p` (the RTP payload) up to `end` into `out`; false when malformed. Never throws. */
export function readVp8(buf: Uint8Array, p: number, end: number, out: Vp8Info): boolean {
  out.start = false;
  out.keyframe = false;
  out.pictureId = -1;
  out.pictureIdOffset = 0;
  out.pictureIdBits = 0;
  out.tl0PicIdx = -1;
  out.tl0PicIdxOffset = 0;
  out.temporalId = -1;
  out.layerSync = false;
  out.width = 0;
  out.height = 0;
  if (p >= end) return false;
  const b0 = buf[p++]!;
  if ((b0 & 0x80) !== 0) {
    if (p >= end) return false;
    const x = buf[p++]!;
    if ((x & 0x80) !== 0) {
      if (p >= end) return false;
      out.pictureIdOffset = p;
      if ((buf[p]! & 0x80) !== 0) {
        if (p + 1 >= end) return false;
        out.pictureIdBits = 15;
        out.pictureId = ((buf[p]! & 0x7f) << 8) | buf[p + 1]!;
        p += 2;
      } else {
        out.pictureIdBits = 7;
        out.pictureId = buf[p]! & 0x7f;
        p += 1;
      }
    }
    if ((x & 0x40) !== 0) {
      if (p >= end) return false;
      out.tl0PicIdxOffset = p;
      out.tl0PicIdx = buf[p++]!;
    }
    if ((x & 0x30) !== 0) {
      if (p >= end) return false;
      const t = buf[p++]!;
      if ((x & 0x20) !== 0) {
        out.temporalId = t >> 6;
        out.layerSync = (t & 0x20) !== 0;
      }
    }
  }
  out.start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  if (out.start && p < end) {
    out.keyframe = (buf[p]! & 0x01) === 0;
    // RFC 6386 §9.1: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (little endian).
    if (out.keyframe && p + 10 <= end && buf[p + 3] === 0x9d && buf[p + 4] === 0x01 && buf[p + 5] === 0x2a) {
      out.width = (buf[p + 6]! | (buf[p + 7]! << 8)) & 0x3fff;
      out.height = (buf[p + 8]! | (buf[p + 9]! << 8)) & 0x3fff;
    }
  }
  return true;
}

/** Writes a picture id into the field `info` located (15-bit fields keep 15 bits, 7-bit fields 7). */
export function writeVp8PictureId(buf: Uint8Array, info: Vp8Info, pictureId: number): void {
  const at = info.pictureIdOffset;
  if (info.pictureIdBits === 15) {
    buf[at] = 0x80 | ((pictureId >> 8) & 0x7f);
    buf[at + 1] = pictureId & 0xff;
  } else if (info.pictureIdBits === 7) buf[at] = pictureId & 0x7f;
}

/** Writes TL0PICIDX into the field `info` located, if the packet has one. */
export function writeVp8Tl0PicIdx(buf: Uint8Array, info: Vp8Info, tl0PicIdx: number): void {
  if (info.tl0PicIdxOffset !== 0) buf[info.tl0PicIdxOffset] = tl0PicIdx & 0xff;
}

// VP9 RTP payload descriptor (RFC 9628 §4.2), read in place; the scalability structure gives layer sizes.

/** Up to 8 spatial layers in a scalability structure (N_S is 3 bits). */
export const VP9_MAX_SPATIAL = 8;

/** What one packet's descriptor says; reused for every packet. */
export interface Vp9Info {
  /** -1 when absent. */
  pictureId: number;
  /** Inter-picture predicted (P): false on the first layer of a keyframe. */
  interPicture: boolean;
  flexible: boolean;
  /** Start (B) and end (E) of a layer frame. */
  beginOfFrame: boolean;
  endOfFrame: boolean;
  /** Z: the frame is not a reference for upper spatial layers (K-SVC delta frames of lower layers). */
  notUpperReference: boolean;
  /** Spatial and temporal layer ids; 0 when no layer indices are present. */
  spatialId: number;
  temporalId: number;
  /** Switching up point (U) and inter-layer dependency (D). */
  switchingUp: boolean;
  interLayerDependency: boolean;
  /** TL0PICIDX (non-flexible mode only), -1 when absent. */
  tl0PicIdx: number;
  /** Spatial layers in the scalability structure (0 when this packet has none) and their sizes. */
  ssSpatialLayers: number;
  readonly widths: Uint16Array;
  readonly heights: Uint16Array;
}

export function newVp9Info(): Vp9Info {
  return {
    pictureId: -1,
    interPicture: false,
    flexible: false,
    beginOfFrame: false,
    endOfFrame: false,
    notUpperReference: false,
    spatialId: 0,
    temporalId: 0,
    switchingUp: false,
    interLayerDependency: false,
    tl0PicIdx: -1,
    ssSpatialLayers: 0,
    widths: new Uint16Array(VP9_MAX_SPATIAL),
    heights: new Uint16Array(VP9_MAX_SPATIAL),
  };
}

/** A keyframe starts here: not inter-predicted, first packet of the base spatial layer. */
export function isVp9Keyframe(info: Vp9Info): boolean {
  return !info.interPicture && info.beginOfFrame && info.spatialId === 0;
}

/** Reads the descriptor at `p..end` into `out`; false when malformed. Never throws. */
export function readVp9(buf: Uint8Array, p: number, end: number, out: Vp9Info): boolean {
  out.pictureId = -1;
  out.spatialId = 0;
  out.temporalId = 0;
  out.switchingUp = false;
  out.interLayerDependency = false;
  out.tl0PicIdx = -1;
  out.ssSpatialLayers = 0;
  if (p >= end) return false;
  const b0 = buf[p++]!;
  out.interPicture = (b0 & 0x40) !== 0;
  out.flexible = (b0 & 0x10) !== 0;
  out.beginOfFrame = (b0 & 0x08) !== 0;
  out.endOfFrame = (b0 & 0x04) !== 0;
  out.notUpperReference = (b0 & 0x01) !== 0;
  if ((b0 & 0x80) !== 0) {
    if (p >= end) return false;
    if ((buf[p]! & 0x80) !== 0) {
      if (p + 1 >= end) return false;
      out.pictureId = ((buf[p]! & 0x7f) << 8) | buf[p + 1]!;
      p += 2;
    } else out.pictureId = buf[p++]!;
  }
  if ((b0 & 0x20) !== 0) {
    if (p >= end) return false;
    const l = buf[p++]!;
    out.temporalId = l >> 5;
    out.switchingUp = (l & 0x10) !== 0;
    out.spatialId = (l >> 1) & 0x07;
    out.interLayerDependency = (l & 0x01) !== 0;
    if (!out.flexible) {
      if (p >= end) return false;
      out.tl0PicIdx = buf[p++]!;
    }
  }
  if (out.flexible && out.interPicture) {
    // Up to three P_DIFF octets, N set on all but the last.
    for (let i = 0; ; i++) {
      if (p >= end || i >= 3) return false;
      if ((buf[p++]! & 0x01) === 0) break;
    }
  }
  if ((b0 & 0x02) !== 0) return readScalabilityStructure(buf, p, end, out);
  return true;
}

function readScalabilityStructure(buf: Uint8Array, p: number, end: number, out: Vp9Info): boolean {
  if (p >= end) return false;
  const v = buf[p++]!;
  const n = (v >> 5) + 1;
  if ((v & 0x10) !== 0) {
    if (p + 4 * n > end) return false;
    for (let i = 0; i < n; i++) {
      out.widths[i] = (buf[p]! << 8) | buf[p + 1]!;
      out.heights[i] = (buf[p + 2]! << 8) | buf[p + 3]!;
      p += 4;
    }
  } else {
    out.widths.fill(0);
    out.heights.fill(0);
  }
  if ((v & 0x08) !== 0) {
    if (p >= end) return false;
    const groups = buf[p++]!;
    for (let g = 0; g < groups; g++) {
      if (p >= end) return false;
      const refs = (buf[p++]! >> 2) & 0x03;
      p += refs;
      if (p > end) return false;
    }
  }
  out.ssSpatialLayers = n;
  return true;
}

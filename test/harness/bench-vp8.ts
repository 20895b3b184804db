// The VP8 framing of a bench simulcast encoding (bench/lib/simulcast.ts): every payload starts with a VP8 payload
// descriptor (RFC 7741 §4.2: 15-bit picture id, TL0PICIDX, temporal id in an L1T3 pattern) and 10 bytes where a
// frame's first packet has its VP8 payload header (RFC 6386 §9.1: a keyframe's start code and size, so the bridge
// learns the encoding's height). The bench header follows at a fixed offset, so receivers find it whatever the
// bridge rewrote. Frames are made of consecutive stream sequences: `packetsPerFrame` packets each.

/** The payload type bench VP8 encodings use (classic bench video stays on 100, a codec the bridge does not parse). */
export const VP8_BENCH_PT = 98;
/** Descriptor (6 bytes) + the payload header room (10 bytes) before the bench header. */
export const VP8_PREFIX_BYTES = 16;

/** One encoding's frame shape. */
export interface BenchVp8 {
  width: number;
  height: number;
  fps: number;
  /** Every Nth frame is a keyframe (a multiple of 4: keyframes are temporal layer 0). */
  keyframeEvery: number;
}

/** Temporal ids of an L1T3 pattern, frame by frame: 0 2 1 2. */
const TID = [0, 2, 1, 2] as const;

/** One packet's place in its frame, for `writeVp8Descriptor`. */
export interface Vp8Packet {
  /** Frame number: picture id, TL0PICIDX and the temporal id (L1T3 pattern) follow from it. */
  frame: number;
  first: boolean;
  keyframe: boolean;
  width: number;
  height: number;
}

/**
 * Writes the descriptor and payload header room (VP8_PREFIX_BYTES) at `p`: the same fixed layout for every packet,
 * so a receiver finds what follows without parsing.
 */
export function writeVp8Descriptor(plain: Buffer, p: number, k: Vp8Packet): void {
  const { frame, keyframe } = k;
  const tid = keyframe ? 0 : TID[frame % 4]!;
  plain[p] = k.first ? 0x90 : 0x80; // X, and S on a frame's first packet (partition 0)
  plain[p + 1] = 0xe0; // I, L, T
  plain[p + 2] = 0x80 | ((frame >> 8) & 0x7f); // 15-bit picture id
  plain[p + 3] = frame & 0xff;
  plain[p + 4] = Math.floor(frame / 4) & 0xff; // TL0PICIDX: one per temporal layer 0 frame
  plain[p + 5] = (tid << 6) | (tid > 0 && frame % 4 < 3 ? 0x20 : 0); // TID, Y: right after a TL0 frame
  plain.fill(0, p + 6, p + VP8_PREFIX_BYTES);
  if (!k.first) return;
  // Frame tag: P (bit 0) is 0 for a keyframe; show_frame (bit 4).
  plain[p + 6] = keyframe ? 0x10 : 0x11;
  if (!keyframe) return;
  plain[p + 9] = 0x9d;
  plain[p + 10] = 0x01;
  plain[p + 11] = 0x2a;
  plain.writeUInt16LE(k.width & 0x3fff, p + 12);
  plain.writeUInt16LE(k.height & 0x3fff, p + 14);
}

/** A keyframe's height from a payload `writeVp8Descriptor` laid out at `p`; 0 when the packet starts no keyframe. */
export function vp8KeyframeHeight(b: Buffer, p: number, end: number): number {
  if (p + VP8_PREFIX_BYTES > end || (b[p]! & 0x10) === 0 || (b[p + 6]! & 0x01) !== 0) return 0;
  if (b[p + 9] !== 0x9d || b[p + 10] !== 0x01 || b[p + 11] !== 0x2a) return 0;
  return b.readUInt16LE(p + 14) & 0x3fff;
}

/**
 * Writes packet `seq`'s descriptor and payload header at `p` and its RTP marker bit and timestamp; packets per frame
 * is the stream's packet rate over its frame rate.
 */
export function writeVp8Prefix(plain: Buffer, p: number, seq: number, packetsPerFrame: number, v: BenchVp8): void {
  const frame = Math.floor(seq / packetsPerFrame);
  const last = seq % packetsPerFrame === packetsPerFrame - 1;
  plain[1] = (plain[1]! & 0x7f) | (last ? 0x80 : 0);
  plain.writeUInt32BE((frame * Math.round(90_000 / v.fps)) >>> 0, 4);
  writeVp8Descriptor(plain, p, {
    frame,
    first: seq % packetsPerFrame === 0,
    keyframe: frame % v.keyframeEvery === 0,
    width: v.width,
    height: v.height,
  });
}

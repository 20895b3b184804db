// What the forwarder reads once per packet, shared by every receiver's rewriter (one instance, reused).
import { newVp8Info, type Vp8Info } from '../codecs/index.js';

/** Codecs whose layer switches the rewriter understands; `other` passes through without layer switching. */
export type VideoCodec = 'vp8' | 'h264' | 'vp9' | 'av1' | 'other';

export interface PacketMeta {
  ssrc: number;
  seq: number;
  ts: number;
  /** Which of the source's encodings (simulcast index) this packet belongs to. */
  encoding: number;
  /** First packet of a frame, and of a keyframe a receiver can switch to. */
  start: boolean;
  keyframe: boolean;
  /** Temporal layer (-1: unknown, treated as 0) and whether a switch up to it is possible here. */
  temporalId: number;
  layerSync: boolean;
  /** VP8 descriptor fields (valid when the codec is VP8). */
  readonly vp8: Vp8Info;
  isVp8: boolean;
  /** A receiver's rewriter changed the packet's bytes: the next one must write all its fields, even unchanged. */
  dirty: boolean;
}

export function newPacketMeta(): PacketMeta {
  return {
    ssrc: 0,
    seq: 0,
    ts: 0,
    encoding: 0,
    start: false,
    keyframe: false,
    temporalId: -1,
    layerSync: false,
    vp8: newVp8Info(),
    isVp8: false,
    dirty: false,
  };
}

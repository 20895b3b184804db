// What the forwarder reads once per packet, shared by every receiver's rewriter (one instance, reused).
import {
  newAv1FrameInfo,
  newVp8Info,
  newVp9Info,
  type Av1FrameInfo,
  type Av1TemplateStructure,
  type Vp8Info,
  type Vp9Info,
} from '../codecs/index.js';

/** Codecs whose layer switches the rewriter understands; `other` passes through without layer switching. */
export type VideoCodec = 'vp8' | 'h264' | 'vp9' | 'av1' | 'other';

/** How a packet's layers are described: not at all (simulcast or single layer), VP9's descriptor, AV1's DD. */
export const SVC_NONE = 0;
export const SVC_VP9 = 1;
export const SVC_AV1 = 2;

export interface PacketMeta {
  ssrc: number;
  seq: number;
  ts: number;
  /** RTP marker as the sender set it. */
  marker: boolean;
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
  /** SVC_NONE, SVC_VP9 (fields in `vp9`) or SVC_AV1 (fields in `av1`, structure in `av1Structure`). */
  svc: number;
  /** Spatial layer of an SVC packet (0 otherwise). */
  spatialId: number;
  /** SVC_AV1 with a dependency descriptor whose template structure is not known (a keyframe was missed). */
  layersUnknown: boolean;
  readonly vp9: Vp9Info;
  readonly av1: Av1FrameInfo;
  av1Structure: Av1TemplateStructure | undefined;
  /** Bumped by the source each time a new AV1 template structure arrives (receivers re-map decode targets). */
  av1StructureVersion: number;
  /** The sender's active decode targets (bitmask, -1: all). */
  av1Active: number;
  /** A receiver's rewriter changed the packet's bytes: the next one must write all its fields, even unchanged. */
  dirty: boolean;
}

export function newPacketMeta(): PacketMeta {
  return {
    ssrc: 0,
    seq: 0,
    ts: 0,
    marker: false,
    encoding: 0,
    start: false,
    keyframe: false,
    temporalId: -1,
    layerSync: false,
    vp8: newVp8Info(),
    isVp8: false,
    svc: SVC_NONE,
    spatialId: 0,
    layersUnknown: false,
    vp9: newVp9Info(),
    av1: newAv1FrameInfo(),
    av1Structure: undefined,
    av1StructureVersion: 0,
    av1Active: -1,
    dirty: false,
  };
}

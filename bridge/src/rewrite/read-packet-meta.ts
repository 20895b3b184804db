// Fills the shared PacketMeta from one decrypted RTP packet; never throws, false when it cannot be forwarded.
import {
  DD_NO_STRUCTURE,
  DD_OK,
  isH264Keyframe,
  isVp9Keyframe,
  readAv1DependencyDescriptor,
  readVp8,
  readVp9,
  rtpPayloadEnd,
  rtpPayloadOffset,
} from '../codecs/index.js';
import { findHeaderExtension, headerExtensionLength } from '../rtp/index.js';
import { SVC_AV1, SVC_NONE, SVC_VP9, type PacketMeta, type VideoCodec } from './packet-meta.js';
import type { SvcSource } from './svc-source.js';

/**
 * `svc` is the source's SVC state when it is one signalled encoding (VP9/AV1 layers are then read and selected per
 * receiver); `ddId` the dependency descriptor's header extension id (0: not negotiated). `adopt` false reads an
 * old packet (an RTX answer) without taking its template structure as the source's.
 */
export function readPacketMeta(
  buf: Buffer,
  off: number,
  len: number,
  codec: VideoCodec,
  encoding: number,
  meta: PacketMeta,
  svc?: SvcSource,
  ddId = 0,
  adopt = true,
): boolean {
  const p = rtpPayloadOffset(buf, off, len);
  if (p < 0) return false;
  const end = rtpPayloadEnd(buf, off, len, p);
  if (end < 0) return false;
  meta.ssrc = buf.readUInt32BE(off + 8);
  meta.seq = buf.readUInt16BE(off + 2);
  meta.ts = buf.readUInt32BE(off + 4);
  meta.marker = (buf[off + 1]! & 0x80) !== 0;
  meta.encoding = encoding;
  meta.isVp8 = false;
  meta.svc = SVC_NONE;
  meta.spatialId = 0;
  meta.layersUnknown = false;
  meta.dirty = false;
  meta.temporalId = -1;
  meta.layerSync = false;
  if (end === p) {
    // Padding only (probing): never a frame, never a switch point.
    meta.start = false;
    meta.keyframe = false;
    return true;
  }
  if (codec === 'vp8') {
    if (!readVp8(buf, p, end, meta.vp8)) return false;
    meta.isVp8 = true;
    meta.start = meta.vp8.start;
    meta.keyframe = meta.vp8.keyframe;
    meta.temporalId = meta.vp8.temporalId;
    meta.layerSync = meta.vp8.layerSync;
    return true;
  }
  if (codec === 'h264') {
    meta.keyframe = isH264Keyframe(buf, p, end);
    meta.start = meta.keyframe;
    return true;
  }
  if (codec === 'vp9') return readVp9Meta(buf, p, end, meta, svc);
  if (codec === 'av1' && svc !== undefined && ddId > 0) {
    const at = findHeaderExtension(buf, off, len, ddId, 3);
    if (at >= 0) return readAv1Meta(buf, at, headerExtensionLength(buf, off, at), meta, svc, adopt);
  }
  // No layer knowledge: every packet is its own switch point (single-encoding streams never switch).
  meta.start = true;
  meta.keyframe = true;
  return true;
}

function readVp9Meta(buf: Buffer, p: number, end: number, meta: PacketMeta, svc: SvcSource | undefined): boolean {
  const v = meta.vp9;
  if (!readVp9(buf, p, end, v)) return false;
  meta.start = v.beginOfFrame && v.spatialId === 0;
  meta.keyframe = isVp9Keyframe(v);
  meta.temporalId = v.temporalId;
  meta.layerSync = v.switchingUp;
  if (svc === undefined) return true; // VP9 simulcast: each encoding one spatial layer
  meta.svc = SVC_VP9;
  meta.spatialId = v.spatialId;
  if (v.ssSpatialLayers > 0) {
    svc.vp9SpatialLayers = v.ssSpatialLayers;
    svc.vp9Heights.set(v.heights);
  }
  return true;
}

function readAv1Meta(buf: Buffer, at: number, n: number, meta: PacketMeta, svc: SvcSource, adopt: boolean): boolean {
  const f = meta.av1;
  meta.svc = SVC_AV1;
  meta.av1Structure = svc.av1Structure;
  let rc: number;
  if (n > 3 && (buf[at + 3]! & 0x80) !== 0) {
    // A new template structure: parsed aside, so a malformed one leaves the one in use intact.
    rc = readAv1DependencyDescriptor(buf, at, n, svc.av1Scratch, false, f);
    if (rc === DD_OK && adopt) svc.adoptAv1Structure();
    else meta.av1Structure = svc.av1Scratch;
  } else rc = readAv1DependencyDescriptor(buf, at, n, svc.av1Structure, svc.av1Known, f);
  if (rc === DD_OK && adopt && f.activeDecodeTargets !== -1) svc.av1Active = f.activeDecodeTargets;
  meta.av1StructureVersion = svc.av1Version;
  meta.av1Active = svc.av1Active;
  if (rc === DD_NO_STRUCTURE) {
    meta.layersUnknown = true;
    meta.start = false;
    meta.keyframe = false;
    return true;
  }
  if (rc !== DD_OK) return false;
  meta.spatialId = f.spatialId;
  meta.temporalId = f.temporalId;
  meta.start = f.startOfFrame;
  meta.keyframe = f.structurePresent && f.startOfFrame;
  return true;
}

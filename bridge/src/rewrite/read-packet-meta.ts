// Fills the shared PacketMeta from one decrypted RTP packet; never throws, false when it cannot be forwarded.
import { isH264Keyframe, readVp8, rtpPayloadEnd, rtpPayloadOffset } from '../codecs/index.js';
import type { PacketMeta, VideoCodec } from './packet-meta.js';

export function readPacketMeta(
  buf: Buffer,
  off: number,
  len: number,
  codec: VideoCodec,
  encoding: number,
  meta: PacketMeta,
): boolean {
  const p = rtpPayloadOffset(buf, off, len);
  if (p < 0) return false;
  const end = rtpPayloadEnd(buf, off, len, p);
  if (end < 0) return false;
  meta.ssrc = buf.readUInt32BE(off + 8);
  meta.seq = buf.readUInt16BE(off + 2);
  meta.ts = buf.readUInt32BE(off + 4);
  meta.encoding = encoding;
  meta.isVp8 = false;
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
  // No layer knowledge: every packet is its own switch point (single-encoding streams never switch).
  meta.start = true;
  meta.keyframe = true;
  return true;
}

// RTCP constants and in-place readers (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3.1).

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_RTPFB = 205;
export const RTCP_PSFB = 206;
export const PSFB_PLI = 1;
/** RTPFB generic NACK (RFC 4585 §6.2.1). */
export const RTPFB_NACK = 1;
export const PSFB_FIR = 4;
export const SR_LENGTH_WITHOUT_BLOCKS = 28;

/** Length in bytes of the RTCP packet at `off` (from its length field), or -1 when it overruns `end`. */
export function readRtcpLength(buf: Buffer, off: number, end: number): number {
  if (end - off < 4 || buf[off]! >> 6 !== 2) return -1;
  const n = (buf.readUInt16BE(off + 2) + 1) * 4;
  return off + n > end ? -1 : n;
}

/** The media SSRC a PLI or FIR asks a keyframe of (FIR: the first FCI entry), or -1. */
export function readKeyframeRequestSsrc(buf: Buffer, off: number, len: number): number {
  const fmt = buf[off]! & 0x1f;
  if (fmt === PSFB_PLI && len >= 12) return buf.readUInt32BE(off + 8);
  if (fmt === PSFB_FIR && len >= 20) return buf.readUInt32BE(off + 12);
  return -1;
}

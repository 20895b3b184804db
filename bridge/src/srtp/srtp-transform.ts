// The narrow seam a faster SRTP implementation replaces: bytes in, bytes out into caller-owned buffers.

/** A packet failed authentication (or its AEAD tag). */
export const SRTP_ERR_AUTH = -1;
/** A packet's index was seen before or is too old for the replay window; on protect, the index was used already. */
export const SRTP_ERR_REPLAY = -2;
/** Too short or not RTP/RTCP version 2. */
export const SRTP_ERR_MALFORMED = -3;

/** Bytes an outgoing packet grows by at most: AEAD tag 16 plus the SRTCP index 4. */
export const SRTP_MAX_OVERHEAD = 20;

/**
 * One direction pair of SRTP/SRTCP contexts for one endpoint (RFC 3711). Every method reads `len` bytes at
 * `src[off]` and writes the result at `dst[dstOff]`, which must have `len + SRTP_MAX_OVERHEAD` bytes free;
 * it returns the length written, or a negative SRTP_ERR_* code. `dst` may be `src` with `dstOff === off`.
 */
export interface SrtpTransform {
  protectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  unprotectRtp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  protectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  unprotectRtcp(src: Buffer, off: number, len: number, dst: Buffer, dstOff: number): number;
  /** The native addon's number for this context (NativeSrtpTransform only): a native socket protects and sends with it. */
  readonly handle?: number;
}

/** Length of the RTP header including CSRCs and the header extension, or -1 when it does not fit. */
export function rtpHeaderLength(buf: Buffer, off: number, len: number): number {
  if (len < 12) return -1;
  const b0 = buf[off]!;
  let h = 12 + 4 * (b0 & 0x0f);
  if ((b0 & 0x10) !== 0) {
    if (h + 4 > len) return -1;
    h += 4 + 4 * buf.readUInt16BE(off + h + 2);
  }
  return h > len ? -1 : h;
}

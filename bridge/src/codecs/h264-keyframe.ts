// H264 RTP (RFC 6184): does this packet start an IDR? Single NAL, STAP-A and FU-A; never throws.

const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** True when the payload at `p..end` carries an SPS or the start of an IDR slice. */
export function isH264Keyframe(buf: Uint8Array, p: number, end: number): boolean {
  if (p >= end) return false;
  const type = buf[p]! & 0x1f;
  if (type === NAL_IDR || type === NAL_SPS) return true;
  if (type === FU_A) {
    if (p + 1 >= end) return false;
    const fu = buf[p + 1]!;
    return (fu & 0x80) !== 0 && ((fu & 0x1f) === NAL_IDR || (fu & 0x1f) === NAL_SPS);
  }
  if (type === STAP_A) {
    let q = p + 1;
    while (q + 2 < end) {
      const size = (buf[q]! << 8) | buf[q + 1]!;
      const t = buf[q + 2]! & 0x1f;
      if (t === NAL_IDR || t === NAL_SPS) return true;
      q += 2 + size;
    }
  }
  return false;
}

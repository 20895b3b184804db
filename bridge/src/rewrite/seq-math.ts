// Modular arithmetic of RTP fields (RFC 3550 §A.1): sequence numbers 16 bits, timestamps 32, VP8 ids 15 and 8.

/** a - b as a signed 16-bit distance. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** a - b as a signed 15-bit distance (VP8 picture ids). */
export function picIdDiff(a: number, b: number): number {
  return (((a - b) & 0x7fff) << 17) >> 17;
}

/** a - b as a signed 32-bit distance (RTP timestamps). */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

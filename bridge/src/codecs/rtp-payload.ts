// Where an RTP packet's payload starts and ends (RFC 3550 §5.1, RFC 8285 extensions, padding), without allocating.

/** Offset of the payload, or -1 when the header is malformed. `len` is the packet length from `off`. */
export function rtpPayloadOffset(buf: Uint8Array, off: number, len: number): number {
  if (len < 12) return -1;
  const b0 = buf[off]!;
  let p = off + 12 + 4 * (b0 & 0x0f);
  if ((b0 & 0x10) !== 0) {
    if (p + 4 > off + len) return -1;
    p += 4 + 4 * ((buf[p + 2]! << 8) | buf[p + 3]!);
  }
  return p > off + len ? -1 : p;
}

/** Offset just past the payload (before RTP padding), or -1 when the padding count is impossible. */
export function rtpPayloadEnd(buf: Uint8Array, off: number, len: number, payloadOff: number): number {
  const end = off + len;
  if ((buf[off]! & 0x20) === 0) return end;
  if (len === 0) return -1;
  const pad = buf[end - 1]!;
  return pad === 0 || end - pad < payloadOff ? -1 : end - pad;
}

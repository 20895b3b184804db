// RFC 8285 one-byte RTP header extensions, read and blanked in place (no allocation).

const ONE_BYTE_PROFILE = 0xbede;

/**
 * Blanks (turns into padding) every one-byte header extension element whose id is flagged in `strip` (an array
 * of 16 flags). Returns how many it blanked. Two-byte and malformed extension blocks are left untouched.
 */
export function blankHeaderExtensions(buf: Buffer, off: number, len: number, strip: Uint8Array): number {
  const b0 = buf[off]!;
  if ((b0 & 0x10) === 0) return 0;
  const csrcEnd = off + 12 + 4 * (b0 & 0x0f);
  if (csrcEnd + 4 > off + len) return 0;
  if (buf.readUInt16BE(csrcEnd) !== ONE_BYTE_PROFILE) return 0;
  const end = csrcEnd + 4 + 4 * buf.readUInt16BE(csrcEnd + 2);
  if (end > off + len) return 0;
  let blanked = 0;
  let p = csrcEnd + 4;
  while (p < end) {
    const h = buf[p]!;
    if (h === 0) {
      p++; // padding
      continue;
    }
    const id = h >> 4;
    if (id === 15) break; // reserved: stop, as RFC 8285 §4.2 says
    const size = 1 + (h & 0x0f) + 1;
    if (p + size > end) break;
    if (strip[id] === 1) {
      buf.fill(0, p, p + size);
      blanked++;
    }
    p += size;
  }
  return blanked;
}

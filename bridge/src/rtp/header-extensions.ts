// RFC 8285 RTP header extensions (one-byte and two-byte forms), read and blanked in place (no allocation).

const ONE_BYTE_PROFILE = 0xbede;
const TWO_BYTE_PROFILE_MASK = 0xfff0;
const TWO_BYTE_PROFILE = 0x1000;

/**
 * Blanks (turns into padding) every header extension element whose id is flagged in `strip` (256 flags, by id), in
 * the one-byte form and the two-byte form (RFC 8285 §4.3: Chromium switches to it with `extmap-allow-mixed` when an
 * element outgrows 16 bytes, such as a dependency descriptor with its template structure, so a keyframe's `mid` would
 * otherwise reach receivers). Returns how many it blanked; malformed blocks are left as they were from the fault on.
 */
export function blankHeaderExtensions(buf: Buffer, off: number, len: number, strip: Uint8Array): number {
  const b0 = buf[off]!;
  if ((b0 & 0x10) === 0) return 0;
  const csrcEnd = off + 12 + 4 * (b0 & 0x0f);
  if (csrcEnd + 4 > off + len) return 0;
  const profile = buf.readUInt16BE(csrcEnd);
  const oneByte = profile === ONE_BYTE_PROFILE;
  if (!oneByte && (profile & TWO_BYTE_PROFILE_MASK) !== TWO_BYTE_PROFILE) return 0;
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
    let id: number;
    let size: number;
    if (oneByte) {
      id = h >> 4;
      if (id === 15) break; // reserved: stop, as RFC 8285 §4.2 says
      size = 1 + (h & 0x0f) + 1;
    } else {
      if (p + 2 > end) break;
      id = h;
      size = 2 + buf[p + 1]!;
    }
    if (p + size > end) break;
    if (strip[id] === 1) {
      buf.fill(0, p, p + size);
      blanked++;
    }
    p += size;
  }
  return blanked;
}

/**
 * Offset of the data of header extension element `id` (RFC 8285, one-byte or two-byte form) whose data is at least
 * `minLength` bytes, or -1 when the packet has none.
 */
export function findHeaderExtension(buf: Buffer, off: number, len: number, id: number, minLength: number): number {
  const b0 = buf[off]!;
  if ((b0 & 0x10) === 0 || id <= 0) return -1;
  const csrcEnd = off + 12 + 4 * (b0 & 0x0f);
  if (csrcEnd + 4 > off + len) return -1;
  const profile = buf.readUInt16BE(csrcEnd);
  const end = csrcEnd + 4 + 4 * buf.readUInt16BE(csrcEnd + 2);
  if (end > off + len) return -1;
  const oneByte = profile === ONE_BYTE_PROFILE;
  if (!oneByte && (profile & TWO_BYTE_PROFILE_MASK) !== TWO_BYTE_PROFILE) return -1;
  let p = csrcEnd + 4;
  while (p < end) {
    const h = buf[p]!;
    if (h === 0) {
      p++; // padding
      continue;
    }
    let elementId: number;
    let dataLen: number;
    if (oneByte) {
      elementId = h >> 4;
      if (elementId === 15) return -1; // reserved: stop (RFC 8285 §4.2)
      dataLen = (h & 0x0f) + 1;
      p += 1;
    } else {
      if (p + 2 > end) return -1;
      elementId = h;
      dataLen = buf[p + 1]!;
      p += 2;
    }
    if (p + dataLen > end) return -1;
    if (elementId === id) return dataLen >= minLength ? p : -1;
    p += dataLen;
  }
  return -1;
}

/** The data length of the element whose data `findHeaderExtension` found at `at` (either form). */
export function headerExtensionLength(buf: Buffer, off: number, at: number): number {
  const csrcEnd = off + 12 + 4 * (buf[off]! & 0x0f);
  return buf.readUInt16BE(csrcEnd) === ONE_BYTE_PROFILE ? (buf[at - 1]! & 0x0f) + 1 : buf[at - 1]!;
}

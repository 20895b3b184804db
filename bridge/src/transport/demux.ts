// RFC 7983 §7: the first byte of a datagram says which protocol it carries.
export const PACKET_STUN = 0;
export const PACKET_DTLS = 1;
export const PACKET_RTP = 2;
export const PACKET_RTCP = 3;
export const PACKET_UNKNOWN = 4;
export type PacketKind = 0 | 1 | 2 | 3 | 4;

/** Classifies a datagram by its first byte (and the RTP/RTCP split of RFC 5761 §4 by payload type). */
export function classifyPacket(buf: Buffer, off: number, len: number): PacketKind {
  if (len < 1) return PACKET_UNKNOWN;
  const b = buf[off]!;
  if (b < 4) return PACKET_STUN;
  if (b >= 20 && b <= 63) return PACKET_DTLS;
  if (b >= 128 && b <= 191) {
    if (len < 2) return PACKET_UNKNOWN;
    const pt = buf[off + 1]! & 0x7f;
    // RTCP packet types 192..223 land on 64..95 once the marker bit is masked.
    return pt >= 64 && pt <= 95 ? PACKET_RTCP : PACKET_RTP;
  }
  return PACKET_UNKNOWN;
}

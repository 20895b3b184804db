export { UdpTransport, type UdpTransportOptions, type DatagramHandler } from './udp-transport.js';
export {
  classifyPacket,
  PACKET_STUN,
  PACKET_DTLS,
  PACKET_RTP,
  PACKET_RTCP,
  PACKET_UNKNOWN,
  type PacketKind,
} from './demux.js';

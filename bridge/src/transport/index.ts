export { UdpTransport, type UdpTransportOptions } from './udp-transport.js';
export { NativeUdpTransport, ipv4ToUint, uintToIpv4, type NativeUdpOptions } from './native-udp-transport.js';
export {
  newSocketCounters,
  delayQuantileUs,
  FORWARDING_DELAY_BUCKETS,
  type DatagramHandler,
  type PacketSocket,
  type SendDone,
  type SocketCounters,
} from './packet-socket.js';
export {
  classifyPacket,
  PACKET_STUN,
  PACKET_DTLS,
  PACKET_RTP,
  PACKET_RTCP,
  PACKET_UNKNOWN,
  type PacketKind,
} from './demux.js';
export { nativeUdpLoadError, openUdp, type UdpChoice, type UdpImplementation } from './udp-implementation.js';

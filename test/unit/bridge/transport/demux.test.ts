import {
  PACKET_DTLS,
  PACKET_RTCP,
  PACKET_RTP,
  PACKET_STUN,
  PACKET_UNKNOWN,
  classifyPacket,
} from '@convene/bridge/transport';

describe('classifyPacket', () => {
  it.each([
    ['STUN binding request', [0x00, 0x01], PACKET_STUN],
    ['STUN range top', [0x03, 0x00], PACKET_STUN],
    ['ZRTP', [0x10, 0x00], PACKET_UNKNOWN],
    ['DTLS handshake', [22, 0xfe], PACKET_DTLS],
    ['DTLS range bottom', [20, 0xfe], PACKET_DTLS],
    ['DTLS range top', [63, 0xfe], PACKET_DTLS],
    ['TURN channel', [64, 0x00], PACKET_UNKNOWN],
    ['RTP opus', [0x80, 111], PACKET_RTP],
    ['RTP with marker', [0x80, 0x80 | 96], PACKET_RTP],
    ['RTCP SR', [0x80, 200], PACKET_RTCP],
    ['RTCP RR', [0x81, 201], PACKET_RTCP],
    ['RTCP PSFB', [0x81, 206], PACKET_RTCP],
    ['RTCP XR', [0x80, 207], PACKET_RTCP],
    ['range 192..255', [0xc0, 0x00], PACKET_UNKNOWN],
    ['RTP too short', [0x80], PACKET_UNKNOWN],
    ['empty', [], PACKET_UNKNOWN],
  ])('classifies %s', (_name, bytes, kind) => {
    const b = Buffer.from([0xff, ...bytes]);
    expect(classifyPacket(b, 1, bytes.length)).toBe(kind);
  });
});

import { blankHeaderExtensions } from '@convene/bridge/rtp';
import { hopByHopExtensionIds, rtxPayloadTypes } from '@convene/bridge/colibri';

/** RTP with a one-byte extension block: audio level (id 1), mid (id 10, "0"), transport-cc (id 5, 2 bytes). */
function packet(): Buffer {
  const ext = Buffer.from([0x10, 0x85, 0xa0, 0x30, 0x51, 0x00, 0x07, 0x00]); // 1:[0x85] 10:["0"] 5:[0x00,0x07] pad
  const b = Buffer.alloc(12 + 4 + ext.length + 4);
  b[0] = 0x90; // V=2, X=1
  b[1] = 111;
  b.writeUInt32BE(0x11223344, 8);
  b.writeUInt16BE(0xbede, 12);
  b.writeUInt16BE(ext.length / 4, 14);
  ext.copy(b, 16);
  b.write('opus', 16 + ext.length);
  return b;
}

/** The same elements in the two-byte form (RFC 8285 §4.3), as Chromium sends them beside a large dependency descriptor. */
function twoBytePacket(): Buffer {
  // 1:[0x85] 10:["0"] 5:[0x00,0x07], then padding to a multiple of 4.
  const ext = Buffer.from([0x01, 0x01, 0x85, 0x0a, 0x01, 0x30, 0x05, 0x02, 0x00, 0x07, 0x00, 0x00]);
  const b = Buffer.alloc(12 + 4 + ext.length + 4);
  b[0] = 0x90;
  b[1] = 100;
  b.writeUInt32BE(0x11223344, 8);
  b.writeUInt16BE(0x1000, 12);
  b.writeUInt16BE(ext.length / 4, 14);
  ext.copy(b, 16);
  b.write('vp8!', 16 + ext.length);
  return b;
}

const flags = (...ids: number[]) => {
  const f = new Uint8Array(256);
  for (const id of ids) f[id] = 1;
  return f;
};

describe('blankHeaderExtensions', () => {
  it('turns the flagged elements into padding and leaves the rest byte for byte', () => {
    const b = packet();
    const before = Buffer.from(b);
    expect(blankHeaderExtensions(b, 0, b.length, flags(10, 5))).toBe(2);
    expect([...b.subarray(16, 24)]).toEqual([0x10, 0x85, 0, 0, 0, 0, 0, 0]);
    expect(b.subarray(0, 16)).toEqual(before.subarray(0, 16));
    expect(b.subarray(24)).toEqual(before.subarray(24));
  });

  it('blanks the two-byte form too (a keyframe with a large dependency descriptor must not carry its mid on)', () => {
    const b = twoBytePacket();
    const before = Buffer.from(b);
    expect(blankHeaderExtensions(b, 0, b.length, flags(10, 200))).toBe(1);
    expect([...b.subarray(16, 28)]).toEqual([0x01, 0x01, 0x85, 0, 0, 0, 0x05, 0x02, 0x00, 0x07, 0, 0]);
    expect(b.subarray(28)).toEqual(before.subarray(28));
    const all = twoBytePacket();
    expect(blankHeaderExtensions(all, 0, all.length, flags(1, 5, 10))).toBe(3);
    expect([...all.subarray(16, 28)].every((x) => x === 0)).toBe(true);
  });

  it('leaves packets without extensions, other profiles and truncated blocks alone', () => {
    const plain = Buffer.alloc(20);
    plain[0] = 0x80;
    expect(blankHeaderExtensions(plain, 0, plain.length, flags(1))).toBe(0);
    const other = packet();
    other.writeUInt16BE(0x2000, 12);
    const copy = Buffer.from(other);
    expect(blankHeaderExtensions(other, 0, other.length, flags(1, 5, 10))).toBe(0);
    expect(other).toEqual(copy);
    const overrun = twoBytePacket();
    overrun[17] = 200; // an element longer than its block: nothing after it is touched
    const overrunCopy = Buffer.from(overrun);
    expect(blankHeaderExtensions(overrun, 0, overrun.length, flags(10))).toBe(0);
    expect(overrun).toEqual(overrunCopy);
    const truncated = packet();
    truncated.writeUInt16BE(40, 14);
    expect(blankHeaderExtensions(truncated, 0, truncated.length, flags(10))).toBe(0);
  });
});

describe('hopByHopExtensionIds', () => {
  it('strips everything but audio level, video orientation and the AV1 dependency descriptor', () => {
    const ids = hopByHopExtensionIds([
      {
        type: 'audio',
        payloadTypes: [],
        extmapAllowMixed: true,
        headerExtensions: [
          { id: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' },
          { id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
          { id: 5, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
        ],
      },
      {
        type: 'video',
        payloadTypes: [],
        extmapAllowMixed: true,
        headerExtensions: [
          { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
          { id: 11, uri: 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension' },
          { id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
        ],
      },
    ]);
    expect(ids.sort((a, b) => a - b)).toEqual([3, 5, 10]);
  });
});

describe('rtxPayloadTypes', () => {
  it("maps each rtx payload type's apt to it", () => {
    const pt = (id: number, name: string, apt?: string) => ({
      id,
      name,
      parameters: apt === undefined ? [] : [{ name: 'apt', value: apt }],
      rtcpFbs: [],
    });
    const map = rtxPayloadTypes([
      {
        type: 'video',
        payloadTypes: [pt(100, 'VP8'), pt(96, 'rtx', '100'), pt(101, 'VP9'), pt(97, 'rtx', '101'), pt(98, 'rtx', 'x')],
        headerExtensions: [],
        extmapAllowMixed: true,
      },
    ]);
    expect([...map]).toEqual([
      [100, 96],
      [101, 97],
    ]);
  });
});

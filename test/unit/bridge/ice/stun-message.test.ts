import {
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  checkFingerprint,
  checkIntegrity,
  readStun,
  writeStun,
} from '@convene/bridge/ice';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 5769 §2.1: sample request (padding bytes are spaces on purpose).
const REQUEST = hex(`
  000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573
  7420636c69656e74002400046e0001ff80290008932ff9b151263b3600060009
  6576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249
  c1b571a280280004e57a3bcf`);
// RFC 5769 §2.2: sample IPv4 response.
const RESPONSE_V4 = hex(`
  0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563
  746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f9
  2af9ba53f06be7d780280004c07d4c96`);
// RFC 5769 §2.3: sample IPv6 response.
const RESPONSE_V6 = hex(`
  010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563
  746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014
  a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c`);
const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';

describe('stun-message', () => {
  it('reads the RFC 5769 request and verifies its integrity and fingerprint', () => {
    const m = readStun(REQUEST, 0, REQUEST.length);
    expect(m).toBeDefined();
    expect(m!.type).toBe(STUN_BINDING_REQUEST);
    expect(m!.username).toBe('evtj:h6vY');
    expect(m!.priority).toBe(0x6e0001ff);
    expect(m!.iceControlled).toBe(0x932ff9b151263b36n);
    expect(checkIntegrity(m!, PASSWORD)).toBe(true);
    expect(checkFingerprint(m!)).toBe(true);
    expect(checkIntegrity(m!, 'wrong')).toBe(false);
  });

  it.each([
    ['ipv4', RESPONSE_V4, '192.0.2.1'],
    ['ipv6', RESPONSE_V6, '2001:db8:1234:5678:11:2233:4455:6677'],
  ])('reads the RFC 5769 %s response', (_name, buf, address) => {
    const m = readStun(buf, 0, buf.length);
    expect(m!.type).toBe(STUN_BINDING_SUCCESS);
    expect(m!.xorMappedAddress).toEqual({ address, port: 32853 });
    expect(checkIntegrity(m!, PASSWORD)).toBe(true);
    expect(checkFingerprint(m!)).toBe(true);
  });

  it('writes the RFC 5769 ipv4 response byte for byte', () => {
    const out = writeStun({
      type: STUN_BINDING_SUCCESS,
      transactionId: RESPONSE_V4.subarray(8, 20),
      software: 'test vector',
      xorMappedAddress: { address: '192.0.2.1', port: 32853 },
      password: PASSWORD,
    });
    // The RFC pads SOFTWARE with a space; we pad with zero, so compare from the padding on.
    const expected = Buffer.from(RESPONSE_V4);
    expected[35] = 0;
    const m = readStun(out, 0, out.length)!;
    expect(checkIntegrity(m, PASSWORD)).toBe(true);
    expect(checkFingerprint(m)).toBe(true);
    expect(out.subarray(0, 48)).toEqual(expected.subarray(0, 48));
  });

  it('round-trips a controlling check with an ipv6 mapped address', () => {
    const tid = Buffer.from('0102030405060708090a0b0c', 'hex');
    const out = writeStun({
      type: STUN_BINDING_REQUEST,
      transactionId: tid,
      username: 'abcd:efgh',
      priority: 1853824767,
      useCandidate: true,
      iceControlling: 0x0123456789abcdefn,
      xorMappedAddress: { address: '2001:db8::1', port: 9 },
      password: 'pwd',
    });
    const m = readStun(out, 0, out.length)!;
    expect(m).toMatchObject({
      username: 'abcd:efgh',
      priority: 1853824767,
      useCandidate: true,
      iceControlling: 0x0123456789abcdefn,
      xorMappedAddress: { address: '2001:db8::1', port: 9 },
    });
    expect(m.transactionId).toEqual(tid);
    expect(checkIntegrity(m, 'pwd')).toBe(true);
    expect(checkFingerprint(m)).toBe(true);
  });

  it('detects a flipped bit under the fingerprint', () => {
    const b = Buffer.from(REQUEST);
    b[30] = b[30]! ^ 1;
    const m = readStun(b, 0, b.length)!;
    expect(checkFingerprint(m)).toBe(false);
    expect(checkIntegrity(m, PASSWORD)).toBe(false);
  });

  it.each([
    ['too short', Buffer.alloc(10)],
    ['no magic cookie', Buffer.alloc(20)],
    [
      'length past the end',
      (() => {
        const b = Buffer.from(REQUEST);
        b.writeUInt16BE(0x200, 2);
        return b;
      })(),
    ],
    [
      'attribute past the end',
      (() => {
        const b = Buffer.from(RESPONSE_V4);
        b.writeUInt16BE(0x100, 22);
        return b;
      })(),
    ],
    [
      'length not a multiple of 4',
      (() => {
        const b = Buffer.from(REQUEST);
        b.writeUInt16BE(0x57, 2);
        return b;
      })(),
    ],
  ])('rejects a message with %s', (_name, buf) => {
    expect(readStun(buf, 0, buf.length)).toBeUndefined();
  });
});

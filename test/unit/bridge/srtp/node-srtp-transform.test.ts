import { randomBytes } from 'node:crypto';
import {
  NodeSrtpTransform,
  deriveSessionKey,
  SRTP_ERR_AUTH,
  SRTP_ERR_REPLAY,
  SRTP_MAX_OVERHEAD,
  type SrtpCipher,
} from '@convene/bridge/srtp';

function contexts(cipher: SrtpCipher): [NodeSrtpTransform, NodeSrtpTransform] {
  const saltLen = cipher === 'aes-gcm-128' ? 12 : 14;
  const k1 = randomBytes(16);
  const s1 = randomBytes(saltLen);
  const k2 = randomBytes(16);
  const s2 = randomBytes(saltLen);
  return [
    new NodeSrtpTransform({ cipher, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 }),
    new NodeSrtpTransform({ cipher, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1 }),
  ];
}

function rtp(seq: number, ssrc: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = 96;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 960, 4);
  b.writeUInt32BE(ssrc, 8);
  payload.copy(b, 12);
  return b;
}

describe('NodeSrtpTransform', () => {
  it('derives the RFC 3711 B.3 session keys', () => {
    const key = Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex');
    const salt = Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex');
    expect(deriveSessionKey(key, salt, 0, 16).toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(deriveSessionKey(key, salt, 2, 14).toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(deriveSessionKey(key, salt, 1, 20).toString('hex').toUpperCase()).toBe(
      'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4',
    );
  });

  it.each<SrtpCipher>(['aes-cm-hmac-sha1-80', 'aes-gcm-128'])('round-trips RTP and RTCP with %s', (cipher) => {
    const [a, b] = contexts(cipher);
    for (let seq = 65530; seq < 65540; seq++) {
      const plain = rtp(seq & 0xffff, 0x11223344, randomBytes(100));
      const out = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
      const n = a.protectRtp(plain, 0, plain.length, out, 0);
      expect(out.subarray(12, 112)).not.toEqual(plain.subarray(12));
      const back = Buffer.alloc(n);
      expect(b.unprotectRtp(out, 0, n, back, 0)).toBe(plain.length);
      expect(back.subarray(0, plain.length)).toEqual(plain);
    }
    const rtcp = Buffer.from('81c90007deadbeef' + '00'.repeat(24), 'hex');
    const out = Buffer.alloc(rtcp.length + SRTP_MAX_OVERHEAD);
    const n = a.protectRtcp(rtcp, 0, rtcp.length, out, 0);
    const back = Buffer.alloc(n);
    expect(b.unprotectRtcp(out, 0, n, back, 0)).toBe(rtcp.length);
    expect(back.subarray(0, rtcp.length)).toEqual(rtcp);
    expect(b.unprotectRtcp(out, 0, n, back, 0)).toBe(SRTP_ERR_REPLAY);
  });

  it.each<SrtpCipher>(['aes-cm-hmac-sha1-80', 'aes-gcm-128'])(
    'rejects tampered and replayed packets with %s',
    (cipher) => {
      const [a, b] = contexts(cipher);
      const plain = rtp(1, 7, randomBytes(50));
      const out = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
      const n = a.protectRtp(plain, 0, plain.length, out, 0);
      const tampered = Buffer.from(out.subarray(0, n));
      tampered[20] = tampered[20]! ^ 1;
      const scratch = Buffer.alloc(n);
      expect(b.unprotectRtp(tampered, 0, n, scratch, 0)).toBe(SRTP_ERR_AUTH);
      expect(b.unprotectRtp(out, 0, n, scratch, 0)).toBe(plain.length);
      expect(b.unprotectRtp(out, 0, n, scratch, 0)).toBe(SRTP_ERR_REPLAY);
    },
  );
});

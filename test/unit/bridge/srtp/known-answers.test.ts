// Known answers from sources independent of this code, run against both SrtpTransform implementations: a bug that
// both share (the cross-check in native-srtp-transform.test.ts cannot see it) fails here. The vectors are facts
// copied as hex, each with its source; a vector failing on both implementations: suspect its transcription first.
import {
  NativeSrtpTransform,
  NodeSrtpTransform,
  SRTP_ERR_AUTH,
  SRTP_MAX_OVERHEAD,
  deriveSessionKey,
  loadNativeSrtp,
  type SrtpKeyParams,
  type SrtpSessionKeyParams,
  type SrtpSessionKeys,
  type SrtpTransform,
} from '@convene/bridge/srtp';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

interface Implementation {
  name: 'node' | 'native';
  create: (p: SrtpKeyParams | SrtpSessionKeyParams) => SrtpTransform;
}

// The addon must be built (npm ci does it): when it is not, the native rows fail on purpose.
const binding = loadNativeSrtp();
const IMPLEMENTATIONS: Implementation[] = [
  { name: 'node', create: (p) => new NodeSrtpTransform(p) },
  { name: 'native', create: (p) => new NativeSrtpTransform(p, binding) },
];

/** Both directions keyed alike, so one fresh transform protects and another unprotects the same vector. */
function master(cipher: SrtpKeyParams['cipher'], keyAndSalt: string): SrtpKeyParams {
  const b = hex(keyAndSalt);
  const key = b.subarray(0, 16);
  const salt = b.subarray(16);
  return { cipher, localKey: key, localSalt: salt, remoteKey: key, remoteSalt: salt };
}

function session(cipher: SrtpKeyParams['cipher'], keys: SrtpSessionKeys): SrtpSessionKeyParams {
  return { cipher, local: keys, remote: keys };
}

// RFC 3711 Appendix B.3: master key and salt, and the session keys derived from them.
const B3_MASTER_KEY = 'E1F97A0D3E018BE0D64FA32C06DE4139';
const B3_MASTER_SALT = '0EC675AD498AFEEBB6960B3AABE6';
const B3_CIPHER_KEY = 'C61E7A93744F39EE10734AFE3FF7A087';
const B3_CIPHER_SALT = '30CBBC08863D8C85D49DB34A9AE1';
const B3_AUTH_KEY = `CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE
                     E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25
                     6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2`;

// RFC 7714 §16 and §17: the session key and salt ("Quid pro quo") all the AEAD_AES_128_GCM examples use.
const RFC7714_KEY = '000102030405060708090a0b0c0d0e0f';
const RFC7714_SALT = '517569642070726f2071756f';
const RFC7714_SESSION: SrtpSessionKeys = {
  rtpKey: hex(RFC7714_KEY),
  rtpAuth: Buffer.alloc(20), // AEAD: unused
  rtpSalt: hex(RFC7714_SALT),
  rtcpKey: hex(RFC7714_KEY),
  rtcpAuth: Buffer.alloc(20),
  rtcpSalt: hex(RFC7714_SALT),
};

// The packets of libsrtp's srtp_validate and srtp_validate_gcm (test/srtp_driver.c), SSRC 0xcafebabe.
const LIBSRTP_RTP = '800f1234 decafbad cafebabe abababab abababab abababab abababab';
const LIBSRTP_RTCP = '81c8000b cafebabe abababab abababab abababab abababab';

interface PacketVector {
  name: string;
  kind: 'rtp' | 'rtcp';
  keys: SrtpKeyParams | SrtpSessionKeyParams;
  plain: string;
  protected: string;
  /** The SRTCP index the reference carries: protectRtcp numbers from 1, so index - 1 packets go first. */
  rtcpIndex?: number;
}

const VECTORS: PacketVector[] = [
  {
    // libsrtp test/srtp_driver.c srtp_validate(): test_key (its first 30 bytes are the RFC 3711 B.3 master key
    // and salt), srtp_plaintext_ref -> srtp_ciphertext.
    name: 'libsrtp srtp_validate SRTP (AES_CM_128_HMAC_SHA1_80, master key)',
    kind: 'rtp',
    keys: master('aes-cm-hmac-sha1-80', B3_MASTER_KEY + B3_MASTER_SALT),
    plain: LIBSRTP_RTP,
    protected: `800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402
                b78d6acc 99ea179b 8dbb`,
  },
  {
    // The same packet keyed with the RFC 3711 B.3 session keys instead of the master key: both implementations
    // take the B.3 cipher key, cipher salt and the first 20 bytes of the auth key (HMAC-SHA1, RFC 3711 §4.2.1).
    name: 'libsrtp srtp_validate SRTP (AES_CM_128_HMAC_SHA1_80, RFC 3711 B.3 session keys)',
    kind: 'rtp',
    keys: session('aes-cm-hmac-sha1-80', {
      rtpKey: hex(B3_CIPHER_KEY),
      rtpAuth: hex(B3_AUTH_KEY).subarray(0, 20),
      rtpSalt: hex(B3_CIPHER_SALT),
      rtcpKey: Buffer.alloc(16), // not used by an RTP packet
      rtcpAuth: Buffer.alloc(20),
      rtcpSalt: Buffer.alloc(14),
    }),
    plain: LIBSRTP_RTP,
    protected: `800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402
                b78d6acc 99ea179b 8dbb`,
  },
  {
    // libsrtp srtp_validate(): rtcp_plaintext_ref -> srtcp_ciphertext (E flag and index 1, then the tag).
    name: 'libsrtp srtp_validate SRTCP (AES_CM_128_HMAC_SHA1_80)',
    kind: 'rtcp',
    keys: master('aes-cm-hmac-sha1-80', B3_MASTER_KEY + B3_MASTER_SALT),
    plain: LIBSRTP_RTCP,
    protected: `81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001
                993e08cd 54d6c123 0798`,
    rtcpIndex: 1,
  },
  {
    // libsrtp srtp_validate_gcm(): test_key_gcm (master key 00..0f, master salt a0..ab), rtp_plaintext_ref ->
    // srtp_ciphertext; goes through the KDF with a 12-byte salt (RFC 7714 §11).
    name: 'libsrtp srtp_validate_gcm SRTP (AEAD_AES_128_GCM, master key)',
    kind: 'rtp',
    keys: master('aes-gcm-128', '000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab'),
    plain: LIBSRTP_RTP,
    protected: `800f1234 decafbad cafebabe c5002ede 04cfdd2e b91159e0 880aa06e
                d2976826 f796b201 df3131a1 27e8a392`,
  },
  {
    // libsrtp srtp_validate_gcm(): rtcp_plaintext_ref -> srtcp_ciphertext (tag, then E flag and index 1).
    name: 'libsrtp srtp_validate_gcm SRTCP (AEAD_AES_128_GCM, master key)',
    kind: 'rtcp',
    keys: master('aes-gcm-128', '000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab'),
    plain: LIBSRTP_RTCP,
    protected: `81c8000b cafebabe c98b8b5d f0392a55 852b6c21 ac8e7025 c52c6fbe
                a2b3b446 ea31123b a88ce61e 80000001`,
    rtcpIndex: 1,
  },
  {
    // RFC 7714 §16.1.1 (encryption) and §16.1.2 (decryption): session keys given directly, ROC 0, SEQ 0xf17b,
    // payload "Gallia est omnis divisa in partes tres".
    name: 'RFC 7714 §16.1 SRTP AEAD_AES_128_GCM',
    kind: 'rtp',
    keys: session('aes-gcm-128', RFC7714_SESSION),
    plain: `8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
            69736120 696e2070 61727465 73207472 6573`,
    protected: `8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
                0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439
                0cce`,
  },
  {
    // RFC 7714 §17.1: SRTCP encryption and tagging, SSRC "Mars", SRTCP index 0x5d4.
    name: 'RFC 7714 §17.1 SRTCP AEAD_AES_128_GCM',
    kind: 'rtcp',
    keys: session('aes-gcm-128', RFC7714_SESSION),
    plain: `81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
            deadbeef deadbeef deadbeef deadbeef deadbeef`,
    protected: `81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
                c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
                45d9eade 800005d4`,
    rtcpIndex: 0x5d4,
  },
];

function protect(tx: SrtpTransform, v: PacketVector): Buffer {
  const plain = hex(v.plain);
  const out = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
  if (v.kind === 'rtcp') {
    for (let i = 1; i < (v.rtcpIndex ?? 1); i++) tx.protectRtcp(plain, 0, plain.length, out, 0);
    const n = tx.protectRtcp(plain, 0, plain.length, out, 0);
    return out.subarray(0, Math.max(n, 0));
  }
  const n = tx.protectRtp(plain, 0, plain.length, out, 0);
  return out.subarray(0, Math.max(n, 0));
}

function unprotect(rx: SrtpTransform, kind: PacketVector['kind'], wire: Buffer): Buffer | number {
  const out = Buffer.alloc(wire.length);
  const n =
    kind === 'rtp' ? rx.unprotectRtp(wire, 0, wire.length, out, 0) : rx.unprotectRtcp(wire, 0, wire.length, out, 0);
  return n < 0 ? n : out.subarray(0, n);
}

describe('RFC 3711 Appendix B.3 key derivation', () => {
  const key = hex(B3_MASTER_KEY);
  const salt = hex(B3_MASTER_SALT);

  it('derives the cipher key (label 0)', () => {
    expect(deriveSessionKey(key, salt, 0, 16).toString('hex')).toBe(hex(B3_CIPHER_KEY).toString('hex'));
  });

  it('derives the cipher salt (label 2)', () => {
    expect(deriveSessionKey(key, salt, 2, 14).toString('hex')).toBe(hex(B3_CIPHER_SALT).toString('hex'));
  });

  it('derives the whole 94-byte auth key (label 1), six AES blocks', () => {
    expect(deriveSessionKey(key, salt, 1, 94).toString('hex')).toBe(hex(B3_AUTH_KEY).toString('hex'));
  });
});

describe.each(IMPLEMENTATIONS)('$name SrtpTransform known answers', ({ create }) => {
  it.each(VECTORS)('protect gives exactly the reference: $name', (v) => {
    expect(protect(create(v.keys), v).toString('hex')).toBe(hex(v.protected).toString('hex'));
  });

  it.each(VECTORS)('unprotect gives back the plaintext: $name', (v) => {
    const back = unprotect(create(v.keys), v.kind, hex(v.protected));
    expect(Buffer.isBuffer(back) ? back.toString('hex') : back).toBe(hex(v.plain).toString('hex'));
  });

  it.each(VECTORS)('unprotect refuses the reference with one tag bit flipped: $name', (v) => {
    const wire = hex(v.protected);
    // The tag ends the packet, except SRTCP with AES-GCM where the E flag and index follow it.
    const last = v.kind === 'rtcp' && v.keys.cipher === 'aes-gcm-128' ? wire.length - 5 : wire.length - 1;
    wire[last] = wire[last]! ^ 0x01;
    expect(unprotect(create(v.keys), v.kind, wire)).toBe(SRTP_ERR_AUTH);
  });

  it('refuses session keys of the wrong length instead of running on a truncated key', () => {
    const shortSalt = { ...RFC7714_SESSION, rtpSalt: hex(RFC7714_SALT).subarray(0, 11) };
    expect(() => create(session('aes-gcm-128', shortSalt))).toThrow(RangeError);
    expect(() => create(session('aes-cm-hmac-sha1-80', RFC7714_SESSION))).toThrow(RangeError); // 12-byte salts
  });

  it('encrypts with the RFC 3711 B.2 AES-CM keystream', () => {
    // RFC 3711 Appendix B.2: session key and salt given, SSRC 0, ROC 0, SEQ 0: a zero payload encrypts to the
    // keystream's first three blocks. The tag depends on an auth key B.2 does not give, so it is not compared.
    const keys = session('aes-cm-hmac-sha1-80', {
      rtpKey: hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      rtpAuth: Buffer.alloc(20),
      rtpSalt: hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      rtcpKey: Buffer.alloc(16),
      rtcpAuth: Buffer.alloc(20),
      rtcpSalt: Buffer.alloc(14),
    });
    const plain = Buffer.alloc(12 + 48);
    plain[0] = 0x80;
    const out = Buffer.alloc(plain.length + SRTP_MAX_OVERHEAD);
    expect(create(keys).protectRtp(plain, 0, plain.length, out, 0)).toBe(plain.length + 10);
    expect(out.subarray(12, 60).toString('hex')).toBe(
      hex(`E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB
           41E95B3BB0A2E8DD477901E4FCA894C0`).toString('hex'),
    );
  });
});

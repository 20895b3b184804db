// DTLS 1.2 handshake message bodies (RFC 5246 §7.4, RFC 6347 §4.2), only what a WebRTC handshake uses.

export const CT_CHANGE_CIPHER_SPEC = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPLICATION_DATA = 23;

export const HT_CLIENT_HELLO = 1;
export const HT_SERVER_HELLO = 2;
export const HT_HELLO_VERIFY_REQUEST = 3;
export const HT_CERTIFICATE = 11;
export const HT_SERVER_KEY_EXCHANGE = 12;
export const HT_CERTIFICATE_REQUEST = 13;
export const HT_SERVER_HELLO_DONE = 14;
export const HT_CERTIFICATE_VERIFY = 15;
export const HT_CLIENT_KEY_EXCHANGE = 16;
export const HT_FINISHED = 20;

export const DTLS_1_2 = 0xfefd;
export const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b;
export const CURVE_SECP256R1 = 23;
export const SIG_ECDSA_SECP256R1_SHA256 = 0x0403;
/** SignatureAndHashAlgorithm codes we accept: ECDSA, RSA-PSS and RSA PKCS#1 v1.5 with SHA-256/384/512. */
export const SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];

export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SIGNATURE_ALGORITHMS = 13;
export const EXT_USE_SRTP = 14;
export const EXT_EXTENDED_MASTER_SECRET = 23;
export const EXT_RENEGOTIATION_INFO = 0xff01;
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3): a cipher suite value that stands for the empty extension. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** A bounds-checked reader; any overrun throws RangeError, which the session turns into a handshake failure. */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }
  #need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('short handshake message');
  }
  u8(): number {
    this.#need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.#need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.#need(3);
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  bytes(n: number): Buffer {
    this.#need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  vec8(): Buffer {
    return this.bytes(this.u8());
  }
  vec16(): Buffer {
    return this.bytes(this.u16());
  }
  vec24(): Buffer {
    return this.bytes(this.u24());
  }
  get remaining(): number {
    return this.end - this.pos;
  }
}

export function u8(n: number): Buffer {
  return Buffer.from([n & 255]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
export function u24(n: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
}
export function vec8(b: Buffer): Buffer {
  return Buffer.concat([u8(b.length), b]);
}
export function vec16(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}
export function vec24(b: Buffer): Buffer {
  return Buffer.concat([u24(b.length), b]);
}

export interface Hello {
  random: Buffer;
  sessionId: Buffer;
  cookie: Buffer;
  cipherSuites: number[];
  /** extension type -> body */
  extensions: Map<number, Buffer>;
}

/** Reads a ClientHello (cookie present) or ServerHello (one suite, no cookie) body. */
export function readHello(body: Buffer, client: boolean): Hello {
  const r = new Reader(body);
  r.u16(); // version: DTLS 1.2 is the only one we answer and the peer must accept it
  const random = Buffer.from(r.bytes(32));
  const sessionId = r.vec8();
  const cookie = client ? r.vec8() : Buffer.alloc(0);
  const cipherSuites: number[] = [];
  if (client) {
    const suites = r.vec16();
    for (let i = 0; i + 1 < suites.length; i += 2) cipherSuites.push(suites.readUInt16BE(i));
    r.vec8(); // compression methods
  } else {
    cipherSuites.push(r.u16());
    r.u8();
  }
  const extensions = new Map<number, Buffer>();
  if (r.remaining >= 2) {
    const ext = new Reader(r.buf, r.pos + 2, r.pos + 2 + r.u16());
    while (ext.remaining > 0) {
      const type = ext.u16();
      extensions.set(type, Buffer.from(ext.vec16()));
    }
  }
  return { random, sessionId, cookie, cipherSuites, extensions };
}

/** SRTP protection profiles listed in a use_srtp extension body (RFC 5764 §4.1.1). */
export function readUseSrtp(body: Buffer): number[] {
  const r = new Reader(body);
  const list = r.vec16();
  const out: number[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push(list.readUInt16BE(i));
  return out;
}

export function writeUseSrtp(profiles: readonly number[]): Buffer {
  return Buffer.concat([vec16(Buffer.concat(profiles.map(u16))), u8(0)]);
}

export function writeExtensions(ext: ReadonlyArray<[number, Buffer]>): Buffer {
  return vec16(Buffer.concat(ext.map(([t, b]) => Buffer.concat([u16(t), vec16(b)]))));
}

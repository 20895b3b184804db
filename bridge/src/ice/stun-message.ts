// STUN (RFC 5389/8489) for ICE: only what connectivity checks and consent need.
// STUN is off the media hot path (a few packets per second per endpoint), so a parsed object is fine here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const STUN_MAGIC_COOKIE = 0x2112a442;
export const STUN_HEADER_LENGTH = 20;
export const STUN_BINDING_REQUEST = 0x0001;
export const STUN_BINDING_SUCCESS = 0x0101;
export const STUN_BINDING_ERROR = 0x0111;
export const STUN_BINDING_INDICATION = 0x0011;

export const ATTR_MAPPED_ADDRESS = 0x0001;
export const ATTR_USERNAME = 0x0006;
export const ATTR_MESSAGE_INTEGRITY = 0x0008;
export const ATTR_ERROR_CODE = 0x0009;
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
export const ATTR_PRIORITY = 0x0024;
export const ATTR_USE_CANDIDATE = 0x0025;
export const ATTR_SOFTWARE = 0x8022;
export const ATTR_FINGERPRINT = 0x8028;
export const ATTR_ICE_CONTROLLED = 0x8029;
export const ATTR_ICE_CONTROLLING = 0x802a;

const FINGERPRINT_XOR = 0x5354554e;
const MI_LENGTH = 20;

export interface StunAddress {
  address: string;
  port: number;
}

/** A decoded STUN message; `raw` is a copy of the datagram for integrity checks. */
export interface StunMessage {
  type: number;
  transactionId: Buffer;
  username?: string;
  priority?: number;
  useCandidate: boolean;
  iceControlling?: bigint;
  iceControlled?: bigint;
  xorMappedAddress?: StunAddress;
  errorCode?: number;
  software?: string;
  /** Offset of the MESSAGE-INTEGRITY attribute header in `raw`, or -1. */
  integrityOffset: number;
  /** Offset of the FINGERPRINT attribute header in `raw`, or -1. */
  fingerprintOffset: number;
  raw: Buffer;
}

/** True when the first bytes look like a STUN message (RFC 7983 range plus the magic cookie). */
export function isStun(buf: Buffer, off: number, len: number): boolean {
  return len >= STUN_HEADER_LENGTH && buf[off]! < 4 && buf.readUInt32BE(off + 4) === STUN_MAGIC_COOKIE;
}

/** Decodes a STUN message, or returns undefined when it is malformed. */
export function readStun(buf: Buffer, off: number, len: number): StunMessage | undefined {
  if (!isStun(buf, off, len)) return undefined;
  const bodyLength = buf.readUInt16BE(off + 2);
  if ((bodyLength & 3) !== 0 || STUN_HEADER_LENGTH + bodyLength > len) return undefined;
  const raw = Buffer.from(buf.subarray(off, off + STUN_HEADER_LENGTH + bodyLength));
  const msg: StunMessage = {
    type: raw.readUInt16BE(0),
    transactionId: raw.subarray(8, 20),
    useCandidate: false,
    integrityOffset: -1,
    fingerprintOffset: -1,
    raw,
  };
  let p = STUN_HEADER_LENGTH;
  while (p + 4 <= raw.length) {
    const type = raw.readUInt16BE(p);
    const length = raw.readUInt16BE(p + 2);
    const v = p + 4;
    if (v + length > raw.length) return undefined;
    if (msg.fingerprintOffset >= 0) return undefined; // FINGERPRINT must be last
    if (msg.integrityOffset >= 0 && type !== ATTR_FINGERPRINT) {
      // attributes after MESSAGE-INTEGRITY are ignored (RFC 5389 §15.4)
    } else {
      switch (type) {
        case ATTR_USERNAME:
          msg.username = raw.toString('utf8', v, v + length);
          break;
        case ATTR_PRIORITY:
          if (length !== 4) return undefined;
          msg.priority = raw.readUInt32BE(v);
          break;
        case ATTR_USE_CANDIDATE:
          msg.useCandidate = true;
          break;
        case ATTR_ICE_CONTROLLING:
          if (length !== 8) return undefined;
          msg.iceControlling = raw.readBigUInt64BE(v);
          break;
        case ATTR_ICE_CONTROLLED:
          if (length !== 8) return undefined;
          msg.iceControlled = raw.readBigUInt64BE(v);
          break;
        case ATTR_XOR_MAPPED_ADDRESS: {
          const a = readXorAddress(raw, v, length);
          if (a === undefined) return undefined;
          msg.xorMappedAddress = a;
          break;
        }
        case ATTR_ERROR_CODE:
          if (length < 4) return undefined;
          msg.errorCode = (raw[v + 2]! & 7) * 100 + raw[v + 3]!;
          break;
        case ATTR_SOFTWARE:
          msg.software = raw.toString('utf8', v, v + length);
          break;
        case ATTR_MESSAGE_INTEGRITY:
          if (length !== MI_LENGTH) return undefined;
          msg.integrityOffset = p;
          break;
        case ATTR_FINGERPRINT:
          if (length !== 4) return undefined;
          msg.fingerprintOffset = p;
          break;
        default:
          break; // comprehension-optional or unknown: ignored
      }
    }
    p = v + ((length + 3) & ~3);
  }
  if (p !== raw.length) return undefined;
  return msg;
}

function readXorAddress(raw: Buffer, v: number, length: number): StunAddress | undefined {
  if (length < 8) return undefined;
  const family = raw[v + 1];
  const port = raw.readUInt16BE(v + 2) ^ (STUN_MAGIC_COOKIE >>> 16);
  if (family === 1) {
    const ip = (raw.readUInt32BE(v + 4) ^ STUN_MAGIC_COOKIE) >>> 0;
    return { address: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, port };
  }
  if (family === 2 && length === 20) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) {
      const x = raw.readUInt16BE(v + 4 + i) ^ (i < 4 ? raw.readUInt16BE(4 + i) : raw.readUInt16BE(8 + i - 4));
      parts.push(x.toString(16));
    }
    return { address: compressIpv6(parts), port };
  }
  return undefined;
}

function compressIpv6(parts: string[]): string {
  const full = parts.join(':');
  const m = /(^|:)0(:0)+(:|$)/.exec(full);
  return m === null ? full : `${full.slice(0, m.index)}::${full.slice(m.index + m[0].length)}`;
}

/** True when the MESSAGE-INTEGRITY of `msg` is correct for the short-term `password` (RFC 5389 §15.4). */
export function checkIntegrity(msg: StunMessage, password: string | Buffer): boolean {
  const at = msg.integrityOffset;
  if (at < 0) return false;
  const raw = msg.raw;
  const saved = raw.readUInt16BE(2);
  raw.writeUInt16BE(at + 4 + MI_LENGTH - STUN_HEADER_LENGTH, 2);
  const mac = createHmac('sha1', password).update(raw.subarray(0, at)).digest();
  raw.writeUInt16BE(saved, 2);
  // Constant time: an early-exit compare would let a peer learn the HMAC byte by byte from response timing.
  const got = raw.subarray(at + 4, at + 4 + MI_LENGTH);
  return got.length === MI_LENGTH && timingSafeEqual(mac, got);
}

/** True when the FINGERPRINT attribute is absent or correct. */
export function checkFingerprint(msg: StunMessage): boolean {
  const at = msg.fingerprintOffset;
  if (at < 0) return true;
  return (crc32(msg.raw.subarray(0, at)) ^ FINGERPRINT_XOR) >>> 0 === msg.raw.readUInt32BE(at + 4);
}

/** What to put in an outgoing message; MESSAGE-INTEGRITY and FINGERPRINT are added by `writeStun`. */
export interface StunParams {
  type: number;
  transactionId: Buffer;
  username?: string;
  priority?: number;
  useCandidate?: boolean;
  iceControlling?: bigint;
  iceControlled?: bigint;
  xorMappedAddress?: StunAddress;
  errorCode?: number;
  software?: string;
  /** Key for MESSAGE-INTEGRITY; omitted means no integrity. */
  password?: string | Buffer;
  fingerprint?: boolean;
}

/** Encodes a STUN message into a new Buffer. */
export function writeStun(p: StunParams): Buffer {
  const attrs: Buffer[] = [];
  const add = (type: number, value: Buffer): void => {
    const h = Buffer.alloc(4 + ((value.length + 3) & ~3));
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(value.length, 2);
    value.copy(h, 4);
    attrs.push(h);
  };
  if (p.software !== undefined) add(ATTR_SOFTWARE, Buffer.from(p.software, 'utf8'));
  if (p.username !== undefined) add(ATTR_USERNAME, Buffer.from(p.username, 'utf8'));
  if (p.errorCode !== undefined) {
    const v = Buffer.alloc(4);
    v[2] = Math.floor(p.errorCode / 100);
    v[3] = p.errorCode % 100;
    add(ATTR_ERROR_CODE, v);
  }
  if (p.priority !== undefined) {
    const v = Buffer.alloc(4);
    v.writeUInt32BE(p.priority >>> 0, 0);
    add(ATTR_PRIORITY, v);
  }
  if (p.useCandidate === true) add(ATTR_USE_CANDIDATE, Buffer.alloc(0));
  if (p.iceControlling !== undefined) add(ATTR_ICE_CONTROLLING, u64(p.iceControlling));
  if (p.iceControlled !== undefined) add(ATTR_ICE_CONTROLLED, u64(p.iceControlled));
  if (p.xorMappedAddress !== undefined) add(ATTR_XOR_MAPPED_ADDRESS, xorAddress(p.xorMappedAddress, p.transactionId));
  const header = Buffer.alloc(STUN_HEADER_LENGTH);
  header.writeUInt16BE(p.type, 0);
  header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  p.transactionId.copy(header, 8, 0, 12);
  let msg = Buffer.concat([header, ...attrs]);
  if (p.password !== undefined) {
    msg.writeUInt16BE(msg.length - STUN_HEADER_LENGTH + 4 + MI_LENGTH, 2);
    const mac = createHmac('sha1', p.password).update(msg).digest();
    const a = Buffer.alloc(4 + MI_LENGTH);
    a.writeUInt16BE(ATTR_MESSAGE_INTEGRITY, 0);
    a.writeUInt16BE(MI_LENGTH, 2);
    mac.copy(a, 4);
    msg = Buffer.concat([msg, a]);
  }
  msg.writeUInt16BE(msg.length - STUN_HEADER_LENGTH, 2);
  if (p.fingerprint !== false) {
    msg.writeUInt16BE(msg.length - STUN_HEADER_LENGTH + 8, 2);
    const f = Buffer.alloc(8);
    f.writeUInt16BE(ATTR_FINGERPRINT, 0);
    f.writeUInt16BE(4, 2);
    f.writeUInt32BE((crc32(msg) ^ FINGERPRINT_XOR) >>> 0, 4);
    msg = Buffer.concat([msg, f]);
  }
  return msg;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v, 0);
  return b;
}

function xorAddress(a: StunAddress, transactionId: Buffer): Buffer {
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(a.address);
  const v = Buffer.alloc(v4 ? 8 : 20);
  v[1] = v4 ? 1 : 2;
  v.writeUInt16BE(a.port ^ (STUN_MAGIC_COOKIE >>> 16), 2);
  if (v4) {
    const [x0, x1, x2, x3] = a.address.split('.').map(Number) as [number, number, number, number];
    v.writeUInt32BE((((x0 << 24) | (x1 << 16) | (x2 << 8) | x3) ^ STUN_MAGIC_COOKIE) >>> 0, 4);
  } else {
    const bytes = ipv6Bytes(a.address);
    const mask = Buffer.alloc(16);
    mask.writeUInt32BE(STUN_MAGIC_COOKIE, 0);
    transactionId.copy(mask, 4, 0, 12);
    for (let i = 0; i < 16; i++) v[4 + i] = bytes[i]! ^ mask[i]!;
  }
  return v;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2));
  return b;
}

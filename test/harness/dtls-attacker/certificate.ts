// A self-signed ECDSA P-256 certificate built with node:crypto, for the attack client (the bridge's own comes from OpenSSL).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** The bridge's DTLS identity: one per process, like JVB's. */
export interface DtlsCertificate {
  der: Buffer;
  /** Absent when the attacker presents someone else's certificate: it then sends no CertificateVerify. */
  privateKey?: KeyObject;
  /** sha-256 fingerprint as signalled: upper-case hex pairs joined by colons. */
  fingerprint: string;
}

const OID_ECDSA_SHA256 = Buffer.from('06082a8648ce3d040302', 'hex');
const OID_COMMON_NAME = Buffer.from('0603550403', 'hex');

/** Creates a fresh key pair and a self-signed certificate valid for `days`. */
export function generateCertificate(commonName = 'convene-bridge', days = 30): DtlsCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x3f) | 0x01;
  const name = seq(set(seq(OID_COMMON_NAME, tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const now = Date.now();
  const validity = seq(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + days * 86_400_000)));
  const algorithm = seq(OID_ECDSA_SHA256);
  const tbs = seq(tlv(0xa0, tlv(0x02, Buffer.from([2]))), tlv(0x02, serial), algorithm, name, validity, name, spki);
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return { der, privateKey, fingerprint: fingerprintOf(der, 'sha-256') };
}

/** Fingerprint of a DER certificate in SDP form (RFC 8122 §5) for hash names sha-1, sha-256, sha-384, sha-512. */
export function fingerprintOf(der: Buffer, hash: string): string {
  const digest = createHash(hash.replace('-', '')).update(der).digest('hex').toUpperCase();
  return digest.replace(/(..)(?!$)/g, '$1:');
}

function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return Buffer.concat([Buffer.from([tag, ...len]), value]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString(); // 2026-11-25T18:52:11.000Z
  return tlv(
    0x17,
    Buffer.from(
      `${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`,
    ),
  );
}

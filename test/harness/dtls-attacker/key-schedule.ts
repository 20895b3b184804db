// TLS 1.2 key schedule for DTLS-SRTP: master secret (RFC 5246 §8.1, RFC 7627 §4), record keys (§6.3),
// Finished (§7.4.9), SRTP keying material (RFC 5764 §4.2), and handshake signature checks.
import { constants, randomBytes, verify, type KeyObject } from 'node:crypto';
import { SRTP_AEAD_AES_128_GCM, type DtlsRole, type SrtpKeys, type SrtpProfile } from './dtls-params.js';
import { prf } from './prf.js';
import { RecordCipher } from './record-cipher.js';

export interface Randoms {
  client: Buffer;
  server: Buffer;
}

/** The 48-byte master secret; with extended master secret it binds the handshake transcript hash. */
export function masterSecret(preMaster: Buffer, r: Randoms, ems: boolean, transcriptHash: () => Buffer): Buffer {
  return ems
    ? prf(preMaster, 'extended master secret', transcriptHash(), 48)
    : prf(preMaster, 'master secret', Buffer.concat([r.client, r.server]), 48);
}

/** AES-128-GCM record protection for `role`: 16-byte keys, 4-byte implicit IVs. */
export function recordCipher(master: Buffer, r: Randoms, role: DtlsRole): RecordCipher {
  const block = prf(master, 'key expansion', Buffer.concat([r.server, r.client]), 40);
  const clientKey = block.subarray(0, 16);
  const serverKey = block.subarray(16, 32);
  const clientIv = block.subarray(32, 36);
  const serverIv = block.subarray(36, 40);
  return role === 'server'
    ? new RecordCipher(serverKey, serverIv, clientKey, clientIv)
    : new RecordCipher(clientKey, clientIv, serverKey, serverIv);
}

/** verify_data of a Finished message. */
export function finishedData(
  master: Buffer,
  label: 'client finished' | 'server finished',
  transcriptHash: Buffer,
): Buffer {
  return prf(master, label, transcriptHash, 12);
}

/** SRTP master keys from the exporter, split into ours and the peer's (client key, server key, client salt, server salt). */
export function srtpKeys(master: Buffer, r: Randoms, profile: SrtpProfile, role: DtlsRole): SrtpKeys {
  const keyLen = 16;
  const saltLen = profile === SRTP_AEAD_AES_128_GCM ? 12 : 14;
  const m = prf(master, 'EXTRACTOR-dtls_srtp', Buffer.concat([r.client, r.server]), 2 * (keyLen + saltLen));
  const clientKey = m.subarray(0, keyLen);
  const serverKey = m.subarray(keyLen, 2 * keyLen);
  const clientSalt = m.subarray(2 * keyLen, 2 * keyLen + saltLen);
  const serverSalt = m.subarray(2 * keyLen + saltLen);
  const server = role === 'server';
  return {
    profile,
    localKey: server ? serverKey : clientKey,
    localSalt: server ? serverSalt : clientSalt,
    remoteKey: server ? clientKey : serverKey,
    remoteSalt: server ? clientSalt : serverSalt,
  };
}

/** A hello random: 4 bytes of time, 28 random (RFC 5246 §7.4.1.2). */
export function newRandom(): Buffer {
  const r = randomBytes(32);
  r.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  return r;
}

/** Checks a TLS 1.2 signature by its SignatureAndHashAlgorithm code (ECDSA, RSA PKCS#1 v1.5, RSA-PSS). */
export function verifySignature(alg: number, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  const hash = ({ 4: 'sha256', 5: 'sha384', 6: 'sha512' } as Record<number, string>)[(alg >> 8) & 0xff];
  try {
    if (alg >= 0x0804 && alg <= 0x0806) {
      const pss = { 0x0804: 'sha256', 0x0805: 'sha384', 0x0806: 'sha512' }[alg]!;
      return verify(
        pss,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        sig,
      );
    }
    if (hash === undefined) return false;
    if ((alg & 0xff) === 1) return verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    if ((alg & 0xff) === 3) return verify(hash, data, key, sig);
    return false;
  } catch {
    return false; // a key of the wrong type for the algorithm is a bad signature
  }
}

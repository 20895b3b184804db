/** A certificate fingerprint as signalled (RFC 8122), e.g. { hash: 'sha-256', value: 'AB:CD:…' }. */
export interface DtlsFingerprint {
  hash: string;
  value: string;
}

/** `client` when the bridge starts the handshake (peer setup `passive`), `server` when the peer does (`active`). */
export type DtlsRole = 'client' | 'server';

export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

// RFC 5764 §4.1.2 and RFC 7714 §14.2 protection profile ids.
export const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
export const SRTP_AEAD_AES_128_GCM = 0x0007;
export type SrtpProfile = typeof SRTP_AES128_CM_HMAC_SHA1_80 | typeof SRTP_AEAD_AES_128_GCM;

/** Everything the bridge knows of each profile, in one place: OpenSSL's name, the SRTP cipher, key sizes. */
export const SRTP_PROFILES: Readonly<
  Record<
    SrtpProfile,
    { opensslName: string; cipher: 'aes-cm-hmac-sha1-80' | 'aes-gcm-128'; keyBytes: number; saltBytes: number }
  >
> = {
  [SRTP_AES128_CM_HMAC_SHA1_80]: {
    opensslName: 'SRTP_AES128_CM_SHA1_80',
    cipher: 'aes-cm-hmac-sha1-80',
    keyBytes: 16,
    saltBytes: 14,
  },
  [SRTP_AEAD_AES_128_GCM]: { opensslName: 'SRTP_AEAD_AES_128_GCM', cipher: 'aes-gcm-128', keyBytes: 16, saltBytes: 12 },
};

/** A signalled `setup` attribute. */
export type DtlsSetup = 'active' | 'passive' | 'actpass';

/** RFC 5763 §5: a peer that is `active` makes us the DTLS server; `passive` (or `actpass` in an answer) the client. */
export function dtlsRoleFor(peerSetup: DtlsSetup): DtlsRole {
  return peerSetup === 'active' ? 'server' : 'client';
}

/** SRTP master keys exported from the handshake (RFC 5764 §4.2), already split by direction. */
export interface SrtpKeys {
  profile: SrtpProfile;
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

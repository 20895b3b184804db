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

/** SRTP master keys exported from the handshake (RFC 5764 §4.2), already split by direction. */
export interface SrtpKeys {
  profile: SrtpProfile;
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

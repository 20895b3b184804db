// The bridge's DTLS identity: a P-256 key and a self-signed certificate made by OpenSSL in the native addon, one
// per process like JVB's, with the SSL_CTX every session of both roles is built on.
import { ProtocolError } from '@convene/protocol/lib';
import { requireNativeAddon, type NativeAddon, type NativeDtlsIdentity } from '../addon/index.js';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, SRTP_PROFILES, type SrtpProfile } from './dtls-params.js';

export interface DtlsIdentity {
  /** sha-256 fingerprint as signalled: upper-case hex pairs joined by colons. */
  readonly fingerprint: string;
  readonly der: Buffer;
  /** The SRTP profiles its sessions offer or accept, most preferred first. */
  readonly srtpProfiles: readonly SrtpProfile[];
  readonly native: NativeDtlsIdentity;
  readonly addon: NativeAddon;
}

/** Creates a fresh key and certificate valid for `days`; throws with the build hint when the addon is missing. */
export function createDtlsIdentity(
  commonName = 'convene-bridge',
  srtpProfiles: readonly SrtpProfile[] = [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80],
  days = 30,
): DtlsIdentity {
  const addon = requireNativeAddon();
  if (srtpProfiles.length === 0) throw new ProtocolError('no-srtp-profile', 'at least one SRTP profile is needed');
  const native = new addon.DtlsIdentity(
    commonName,
    days,
    srtpProfiles.map((p) => SRTP_PROFILES[p].opensslName).join(':'),
  );
  const fingerprint = formatFingerprint(native.fingerprint());
  return { fingerprint, der: native.der(), srtpProfiles: [...srtpProfiles], native, addon };
}

/** A digest in SDP form (RFC 8122 §5): upper-case hex pairs joined by colons. */
export function formatFingerprint(digest: Buffer): string {
  return digest
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

export { DtlsSession, type DtlsSessionDeps, type DtlsCounters } from './dtls-session.js';
export { createDtlsIdentity, formatFingerprint, type DtlsIdentity } from './dtls-identity.js';
export { parseFingerprints, type ExpectedFingerprint } from './fingerprint.js';
export {
  SRTP_AES128_CM_HMAC_SHA1_80,
  SRTP_AEAD_AES_128_GCM,
  SRTP_PROFILES,
  dtlsRoleFor,
  type DtlsSetup,
  type DtlsFingerprint,
  type DtlsRole,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from './dtls-params.js';

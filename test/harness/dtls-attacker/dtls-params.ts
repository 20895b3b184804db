export {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  type DtlsFingerprint,
  type DtlsRole,
  type DtlsState,
  type SrtpKeys,
  type SrtpProfile,
} from '@convene/bridge/dtls';

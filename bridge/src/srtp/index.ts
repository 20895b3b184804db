export {
  NodeSrtpTransform,
  type SrtpCipher,
  type SrtpKeyParams,
  type SrtpSessionKeyParams,
} from './node-srtp-transform.js';
export {
  NativeSrtpTransform,
  loadNativeSrtp,
  nativeSrtpLoadError,
  type NativeSrtpBinding,
} from './native-srtp-transform.js';
export { chooseSrtp, type SrtpChoice, type SrtpImplementation } from './srtp-implementation.js';
export {
  SRTP_ERR_AUTH,
  SRTP_ERR_MALFORMED,
  SRTP_ERR_REPLAY,
  SRTP_MAX_OVERHEAD,
  rtpHeaderLength,
  type SrtpTransform,
} from './srtp-transform.js';
export { deriveSessionKey, deriveSessionKeys, type SrtpSessionKeys } from './srtp-kdf.js';

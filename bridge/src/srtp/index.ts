export { NodeSrtpTransform, type SrtpCipher, type SrtpKeyParams } from './node-srtp-transform.js';
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
export { deriveSessionKey } from './srtp-kdf.js';

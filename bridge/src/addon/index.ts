export {
  DTLS_STATE_CLOSED,
  DTLS_STATE_CONNECTED,
  DTLS_STATE_CONNECTING,
  DTLS_STATE_FAILED,
  NATIVE_BUILD_HINT,
  loadNativeAddon,
  nativeAddonLoadError,
  requireNativeAddon,
  type NativeAddon,
  type NativeDtlsConnection,
  type NativeDtlsIdentity,
  type NativeSrtpContext,
} from './native-addon.js';

export { MediaServer, type MediaServerDrops, type MediaServerEvents } from './media-server.js';
export type { MediaServerOptions } from './media-options.js';
export { Conference, type ConferenceCounters, type ConferenceEvents, type ConferenceSpec } from './conference.js';
export {
  Endpoint,
  type BandwidthDebug,
  type DataChannelHandlers,
  type DataChannelLink,
  type EndpointCloseReason,
  type EndpointEvents,
} from './endpoint.js';
export { newConferenceTotals, type ConferenceTotals } from './conference-totals.js';
export { newChannelPassword, type ReceiverState } from './receiver-state.js';
export { BridgeLifecycle, type BridgeLifecycleDeps } from './bridge-lifecycle.js';
export type { EndpointCounters } from '../pipeline/index.js';
export type { SignalledFingerprint, SourceParams, SsrcGroupParams, TransportParams } from './transport-params.js';
export type { DtlsSetup } from '../dtls/index.js';
export type { IceCandidate } from '../ice/index.js';
export { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, type SrtpProfile } from '../dtls/index.js';
export { VideoAllocation, type VideoEvent } from './video-allocation.js';
export type { ConstraintsPatch } from '../allocation/index.js';
export type { VideoCodec } from '../rewrite/index.js';
export { receiverPatch, toRouteSources } from './video-sources.js';

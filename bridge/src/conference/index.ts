export { MediaServer, type MediaServerDrops } from './media-server.js';
export type { MediaServerOptions } from './media-options.js';
export { Conference, type ConferenceCounters, type ConferenceEvents } from './conference.js';
export {
  Endpoint,
  type DataChannelHandlers,
  type DataChannelLink,
  type EndpointCloseReason,
  type EndpointEvents,
} from './endpoint.js';
export type { EndpointCounters } from '../pipeline/index.js';
export type { SignalledFingerprint, SourceParams, TransportParams } from './transport-params.js';
export type { DtlsSetup } from '../dtls/index.js';
export type { IceCandidate } from '../ice/index.js';
export { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, type SrtpProfile } from '../dtls/index.js';

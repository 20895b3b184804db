export {
  ColibriHandler,
  hopByHopExtensionIds,
  toMediaSsrcs,
  videoCodecs,
  type ColibriHandlerOptions,
} from './colibri-handler.js';
export {
  ConferenceRegistry,
  videoEventMessage,
  type ConferenceRegistryOptions,
  type RegistryTotals,
} from './conference-registry.js';
export { ColibriConference } from './colibri-conference.js';
export {
  ColibriEndpoint,
  type ChannelState,
  type EndpointExpireReason,
  newChannelPassword,
} from './colibri-endpoint.js';
export type {
  MediaPort,
  MediaConferencePort,
  MediaEndpointPort,
  MediaTransport,
  MediaCandidate,
  MediaFingerprint,
  MediaSsrc,
} from './media-port.js';
export { validateRequest, isHeavy, SCTP_PORT } from './validate-request.js';
export { toMediaTransport, toColibri2Transport } from './transport-mapping.js';
export { BridgeLifecycle, type BridgeLifecycleDeps } from './bridge-lifecycle.js';

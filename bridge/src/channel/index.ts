export { ColibriWsServer, COLIBRI_WS_PREFIX, type ColibriWsOptions } from './colibri-ws.js';
export {
  ChannelHub,
  type ChannelConnection,
  type ChannelDirectory,
  type ChannelEndpoint,
  type ChannelDropReason,
  type ChannelCloseReason,
  type ChannelHubOptions,
  type ChannelSocket,
} from './channel-hub.js';
export { serveSctpChannel, type DataChannelListener, type DataChannelPort } from './sctp-channel.js';
export { ChannelLimiter, DEFAULT_CHANNEL_LIMITS, type Admission, type ChannelLimits } from './channel-limiter.js';
export { TokenBucket } from './token-bucket.js';
export { storeVideoType, MAX_EARLY_VIDEO_TYPES } from './video-types.js';
export { videoEventMessage, type ChannelVideoEvent } from './video-events.js';
export {
  parseClientMessage,
  type ClientMessage,
  type EndpointMessage,
  type JsonObject,
  type LastNChanged,
  type ReceiverVideoConstraints,
  type SourceVideoType,
} from './channel-message.js';
export { routeEndpointMessage, type Delivery, type RouteResult } from './channel-router.js';

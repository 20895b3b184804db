export {
  ColibriWsServer,
  COLIBRI_WS_PREFIX,
  type ChannelDirectory,
  type ChannelEndpoint,
  type ChannelDropReason,
  type ColibriWsOptions,
} from './colibri-ws.js';
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

export {
  EndpointTransport,
  newEndpointCounters,
  type EndpointCounters,
  type EndpointTransportDeps,
  type HeaderExtensionIds,
} from './endpoint-transport.js';

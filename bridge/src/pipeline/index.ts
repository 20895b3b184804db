export {
  EndpointTransport,
  newEndpointCounters,
  type EndpointCounters,
  type EndpointTransportDeps,
  type HeaderExtensionIds,
} from './endpoint-transport.js';
export { SendRing, SLOT_BYTES } from './send-ring.js';

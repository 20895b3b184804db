export { SctpEndpoint, SCTP_PORT, newSctpCounters, type SctpCounters, type SctpEndpointDeps } from './sctp-endpoint.js';
export * from './dcep.js';

export { Forwarder, newForwarderCounters, type ForwarderCounters } from './forwarder.js';
export { ForwardingTable, type MediaKind, type Route, type RouteTarget } from './forwarding-table.js';
export type { MediaSink } from './media-sink.js';

export { Forwarder, newForwarderCounters, type ForwarderCounters } from './forwarder.js';
export {
  ForwardingTable,
  type MediaKind,
  type Route,
  type RouteSource,
  type RouteTarget,
  type VideoSourceEntry,
} from './forwarding-table.js';
export { PacketCache } from './packet-cache.js';
export type { DownlinkSink, MediaSink } from './media-sink.js';
export { ReceiverSsrcs, type MappedSource, type SsrcLimits, type VideoSlotSource } from './receiver-ssrcs.js';

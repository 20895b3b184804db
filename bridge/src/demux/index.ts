export { PacketDemux, type DemuxDrops } from './packet-demux.js';

export { SVC_AV1, SVC_NONE, SVC_VP9, newPacketMeta, type PacketMeta, type VideoCodec } from './packet-meta.js';
export { readPacketMeta } from './read-packet-meta.js';
export { NO_ENCODING, StreamRewriter, type RewriterCounters } from './stream-rewriter.js';
export { picIdDiff, seqDiff, tsDiff } from './seq-math.js';
export { SsrcPool, type PoolSlot, type PoolSource } from './ssrc-pool.js';
export { AudioSlotRewriter } from './audio-slot.js';
export { SvcFilter } from './svc-filter.js';
export { SvcSource } from './svc-source.js';

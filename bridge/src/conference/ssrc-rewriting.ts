// SSRC rewriting in a conference (Colibri2 capability `ssrc-rewriting`, PROTOCOL.md §7.4): the bridge's random
// SSRCs, a receiver's pools on SSRCs nobody else in the conference uses, and its mappings as bridge channel events.
import { randomBytes } from 'node:crypto';
import { ReceiverSsrcs, type ForwardingTable, type MappedSource, type SsrcLimits } from '../forward/index.js';
import type { SourceMapping, VideoAllocation, VideoEvent } from './video-allocation.js';

/** A random SSRC for the bridge's own RTCP (never 0). */
export function randomSsrc(): number {
  return (randomBytes(4).readUInt32BE(0) % 0xfffffffe) + 1;
}

/**
 * A receiver's pools (sizes from the bridge's ssrc-limit, 50 each by default), on SSRCs that neither the
 * conference's sources nor the bridge's feedback SSRCs use; `announce` gets every change of its mappings.
 */
export function newReceiverSsrcs(
  table: ForwardingTable,
  feedbackSsrcs: { readonly audio: number; readonly video: number },
  limits: SsrcLimits | undefined,
  announce: (kind: 'video' | 'audio', mapped: MappedSource[]) => void,
): ReceiverSsrcs {
  const used = new Set<number>([feedbackSsrcs.audio, feedbackSsrcs.video]);
  const newSsrc = (): number => {
    let ssrc = randomSsrc();
    while (used.has(ssrc) || table.hasSsrc(ssrc)) ssrc = randomSsrc();
    used.add(ssrc);
    return ssrc;
  };
  return new ReceiverSsrcs(limits ?? { video: 50, audio: 50 }, newSsrc, announce);
}

/** Video mappings with each source's video type (VideoSourcesMap carries it). */
export function withVideoTypes(mapped: readonly MappedSource[], video: VideoAllocation): SourceMapping[] {
  return mapped.map((m) => ({ ...m, videoType: video.videoTypeOf(m.source) }));
}

/** JVB's sendAllMappings on connect: a reconnected channel learns every current mapping again. */
export function pushAllMappings(
  out: VideoEvent[],
  endpointId: string,
  pools: ReceiverSsrcs,
  video: VideoAllocation,
): void {
  const { video: videoMapped, audio } = pools.allMappings();
  const typed = withVideoTypes(videoMapped, video);
  if (typed.length > 0) out.push({ type: 'sourcesmap', endpointId, kind: 'video', mapped: typed });
  if (audio.length > 0) out.push({ type: 'sourcesmap', endpointId, kind: 'audio', mapped: audio });
}

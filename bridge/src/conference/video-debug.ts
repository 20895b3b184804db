// `/colibri/stats/debug`'s view of the video one receiver gets: per video source, the source's layers (an SVC
// source's spatial layers and, for AV1, its template structure), the layer chosen and forwarded, and the rewriter's
// counters. Read on request only.
import type { ForwardingTable } from '../forward/index.js';
import type { Endpoint } from './endpoint.js';
import type { VideoAllocation } from './video-allocation.js';

export function videoDebug(
  table: ForwardingTable,
  video: VideoAllocation,
  receiver: Endpoint,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const now = Date.now();
  for (const v of table.videoSources()) {
    const rw = table.rewriter(receiver.transport, v.name);
    if (rw === undefined) continue;
    const a = v.svc?.av1Known === true ? v.svc.av1Structure : undefined;
    out[v.name] = {
      layers: v.layers.activitySummary(now),
      vp9SpatialLayers: v.svc?.vp9SpatialLayers,
      av1: a && {
        decodeTargets: a.decodeTargetCount,
        templates: a.templateCount,
        chains: a.chainCount,
        spatial: a.maxSpatialId + 1,
        temporal: a.maxTemporalId + 1,
        heights: [...a.heights.slice(0, a.maxSpatialId + 1)],
      },
      target: rw.targetEncoding,
      encoding: rw.encoding,
      spatial: rw.svcSpatial,
      decodeTarget: rw.svcDecodeTarget,
      counters: rw.counters,
      allocation: video.allocationOf(receiver.id, v.name),
      offered: v.layers.layers(now),
    };
  }
  return out;
}

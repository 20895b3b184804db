// From the signalled model (Endpoint's sources, groups and receiver state) to what the forwarding table and the
// allocation take: pure mapping, no state.
import type { ConstraintsPatch, VideoType } from '../allocation/index.js';
import type { RouteSource } from '../forward/index.js';
import type { ReceiverState } from './receiver-state.js';
import type { SourceParams, SsrcGroupParams } from './transport-params.js';

const VIDEO_TYPES = new Set<string>(['camera', 'desktop', 'desktop_high_fps', 'none']);

/**
 * Each SSRC with its place in its source's SIM group (lowest layer first, as lib-jitsi-meet signals; 0 without
 * one); RTX SSRCs are known by their primary's `rtxSsrc` and take its encoding in the table.
 */
export function toRouteSources(sources: readonly SourceParams[], groups: readonly SsrcGroupParams[]): RouteSource[] {
  const encoding = new Map<number, number>();
  for (const g of groups) if (g.semantics === 'SIM') g.ssrcs.forEach((s, i) => encoding.set(s >>> 0, i));
  return sources.map((s) => {
    const out: RouteSource = { ssrc: s.ssrc, kind: s.kind, encoding: encoding.get(s.ssrc >>> 0) ?? 0 };
    if (s.name !== undefined) out.name = s.name;
    if (s.rtxSsrc !== undefined) out.rtxSsrc = s.rtxSsrc;
    return out;
  });
}

/**
 * The receiver's stored state as one allocation patch: the merged ReceiverVideoConstraints fields (validated by
 * the bridge channel) and last-N.
 */
export function receiverPatch(r: Readonly<ReceiverState>): ConstraintsPatch {
  const patch: ConstraintsPatch = { ...(r.videoConstraints as ConstraintsPatch | undefined) };
  if (r.lastN !== undefined) patch.lastN = r.lastN;
  return patch;
}

/** A signalled video type as the allocation takes it: `disabled` is `none`, and one it does not know `camera`. */
export function toVideoType(type: string): VideoType {
  const t = type.toLowerCase();
  return (t === 'disabled' ? 'none' : VIDEO_TYPES.has(t) ? t : 'camera') as VideoType;
}

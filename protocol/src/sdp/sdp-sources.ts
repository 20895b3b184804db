import type { MediaDescription } from 'sdp-transform';
import type { Source } from '../sources/source.js';
import type { SsrcGroup } from '../sources/ssrc-group.js';

/** Writes the `a=ssrc` lines (msid, then other parameters) and `a=ssrc-group` lines of an m-line. */
export function setSources(m: MediaDescription, sources: readonly Source[], groups: readonly SsrcGroup[]): void {
  const lines: NonNullable<MediaDescription['ssrcs']> = [];
  for (const s of sources) {
    const attrs = [...(s.msid === undefined ? [] : [{ name: 'msid', value: s.msid }]), ...s.parameters];
    // An SSRC with no attribute would vanish from the SDP; give it a cname (RFC 5576 requires one anyway).
    if (attrs.length === 0) attrs.push({ name: 'cname', value: s.name ?? String(s.ssrc) });
    for (const a of attrs) lines.push({ id: s.ssrc, attribute: a.name, value: a.value });
  }
  if (lines.length > 0) m.ssrcs = lines;
  else delete m.ssrcs;
  if (groups.length > 0) m.ssrcGroups = groups.map((g) => ({ semantics: g.semantics, ssrcs: g.ssrcs.join(' ') }));
  else delete m.ssrcGroups;
}

/** The bridge's `mixedmslabel` feedback sources go first (lib-jitsi-meet expects them in the first m-line). */
export function orderSources(sources: readonly Source[]): Source[] {
  const feedback = (s: Source) => s.msid?.includes('mixedmslabel') === true;
  return [...sources.filter(feedback), ...sources.filter((s) => !feedback(s))];
}

/** Sources grouped the way they get m-lines: by name, else msid, else SSRC; feedback sources first. */
export function groupBySource(sources: readonly Source[]): Source[][] {
  const keyOf = (s: Source) => s.name ?? s.msid ?? String(s.ssrc);
  const bySource = new Map<string, Source[]>();
  for (const s of orderSources(sources)) bySource.set(keyOf(s), [...(bySource.get(keyOf(s)) ?? []), s]);
  return [...bySource.values()];
}

/** The groups whose SSRCs all belong to `sources`. */
export function groupsWithin(groups: readonly SsrcGroup[], sources: readonly Source[]): SsrcGroup[] {
  const ssrcs = new Set<number>(sources.map((s) => s.ssrc));
  return groups.filter((g) => g.ssrcs.every((x) => ssrcs.has(x)));
}

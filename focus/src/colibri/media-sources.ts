import type { MediaSource } from '@convene/protocol/colibri2';
import { toSourceName } from '@convene/protocol/lib';
import type { EndpointSources, SsrcGroup } from '@convene/protocol/sources';

/** An endpoint's sources as Colibri2 `media-source` elements, one per source name (PROTOCOL.md §5.4). */
export function toMediaSources(set: EndpointSources, endpointId: string): MediaSource[] {
  const out: MediaSource[] = [];
  for (const type of ['audio', 'video'] as const) {
    const byName = new Map<string, MediaSource>();
    for (const s of set[type].sources) {
      const name = s.name ?? `${endpointId}-${type === 'audio' ? 'a' : 'v'}0`;
      let ms = byName.get(name);
      if (ms === undefined) {
        ms = { type, id: toSourceName(name), sources: [], groups: [] };
        byName.set(name, ms);
        out.push(ms);
      }
      ms.sources.push({
        ssrc: s.ssrc,
        name: toSourceName(name),
        ...(s.videoType ? { videoType: s.videoType } : {}),
        parameters: [],
      });
    }
    for (const g of set[type].groups) {
      const owner = [...byName.values()].find((ms) => ms.sources.some((s) => s.ssrc === g.ssrcs[0]));
      owner?.groups.push(g satisfies SsrcGroup);
    }
  }
  return out;
}

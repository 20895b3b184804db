import { ProtocolError } from '../lib/errors.js';
import type { SourceName } from '../lib/ids.js';
import { type EndpointSources, emptyEndpointSources } from '../sources/source-map.js';
import type { MediaSource } from './media-source.js';

/**
 * An endpoint's sources as Colibri2 `media-source`s: one per source name, holding its SSRCs and the groups
 * among them. Every source must have a name (`source-names` is mandatory on the bridge).
 */
export function mediaSourcesOf(sources: EndpointSources): MediaSource[] {
  const out: MediaSource[] = [];
  for (const type of ['audio', 'video'] as const) {
    const byName = new Map<SourceName, MediaSource>();
    for (const s of sources[type].sources) {
      if (s.name === undefined) throw new ProtocolError('missing-attribute', `source ${s.ssrc} has no name`);
      const ms = byName.get(s.name) ?? { type, id: s.name, sources: [], groups: [] };
      byName.set(s.name, ms);
      ms.sources.push({ ssrc: s.ssrc, name: s.name, ...(s.videoType && { videoType: s.videoType }), parameters: [] });
    }
    for (const g of sources[type].groups) {
      const owner = [...byName.values()].find((ms) => ms.sources.some((s) => s.ssrc === g.ssrcs[0]));
      if (owner === undefined)
        throw new ProtocolError('unknown-value', `${g.semantics} group has no source ${g.ssrcs[0]}`);
      owner.groups.push(g);
    }
    out.push(...byName.values());
  }
  return out;
}

/** The inverse of {@link mediaSourcesOf}. */
export function endpointSourcesOf(list: readonly MediaSource[]): EndpointSources {
  const out = emptyEndpointSources();
  for (const ms of list) {
    out[ms.type].sources.push(...ms.sources);
    out[ms.type].groups.push(...ms.groups);
  }
  return out;
}

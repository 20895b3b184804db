import type { Ssrc } from '../lib/ids.js';
import { SEMANTICS_FID, SEMANTICS_SIM } from './ssrc-group.js';
import type { EndpointSources, MediaSources } from './source-map.js';

/**
 * What receivers are told about a sender (Jicofo `strip-simulcast`): of each SIM group only the first SSRC
 * and its FID partner remain; the SIM group itself goes.
 */
export function stripSimulcast(sources: EndpointSources): EndpointSources {
  return { audio: sources.audio, video: stripMedia(sources.video) };
}

function stripMedia(m: MediaSources): MediaSources {
  const dropped = new Set<Ssrc>();
  for (const sim of m.groups.filter((g) => g.semantics === SEMANTICS_SIM)) {
    for (const layer of sim.ssrcs.slice(1)) {
      dropped.add(layer);
      for (const fid of m.groups)
        if (fid.semantics === SEMANTICS_FID && fid.ssrcs[0] === layer) for (const s of fid.ssrcs) dropped.add(s);
    }
  }
  return {
    sources: m.sources.filter((s) => !dropped.has(s.ssrc)),
    groups: m.groups.filter((g) => g.semantics !== SEMANTICS_SIM && !g.ssrcs.some((s) => dropped.has(s))),
  };
}

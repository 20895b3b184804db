import type { EndpointId } from '../lib/ids.js';
import type { Source } from './source.js';
import type { SsrcGroup } from './ssrc-group.js';

/** Sources and groups of one media type. */
export interface MediaSources {
  sources: Source[];
  groups: SsrcGroup[];
}

/** Everything one endpoint sends. */
export interface EndpointSources {
  audio: MediaSources;
  video: MediaSources;
}

/** Sources per owner (endpoint id, or `jvb` for the bridge's feedback sources). */
export type SourceMap = Map<EndpointId, EndpointSources>;

/** An endpoint source set with nothing in it. */
export function emptyEndpointSources(): EndpointSources {
  return { audio: { sources: [], groups: [] }, video: { sources: [], groups: [] } };
}

export {
  type Source,
  type SourceParameter,
  type VideoType,
  VIDEO_TYPES,
  parseSource,
  buildSource,
  parseVideoType,
} from './source.js';
export { type SsrcGroup, SEMANTICS_SIM, SEMANTICS_FID, parseSsrcGroup, buildSsrcGroup } from './ssrc-group.js';
export { type MediaSources, type EndpointSources, type SourceMap, emptyEndpointSources } from './source-map.js';
export { parseJsonSources, buildJsonSources } from './json-sources.js';
export { stripSimulcast } from './simulcast.js';

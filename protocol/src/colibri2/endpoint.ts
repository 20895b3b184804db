import type { Element } from 'ltx';
import { NS_COLIBRI2 } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optBool, optChild, reqAttr, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type EndpointId, toEndpointId } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import { type Colibri2Media, buildColibri2Media, parseColibri2Media } from './media.js';
import { type Colibri2Transport, buildColibri2Transport, parseColibri2Transport } from './transport.js';
import { type MediaSource, buildSourcesList, parseSourcesList } from './media-source.js';

/** Capabilities Jicofo and JVB know; `source-names` is mandatory on create. */
export const CAPABILITY_SOURCE_NAMES = 'source-names';
export const CAPABILITY_SSRC_REWRITING = 'ssrc-rewriting';
export const CAPABILITY_PRIVATE_ADDRESSES = 'private-address-connectivity';

/** `<force-mute audio video>`. */
export interface ForceMute {
  audio?: boolean;
  video?: boolean;
}

/** `<endpoint id>` in conference-modify / conference-modified. */
export interface Colibri2Endpoint {
  id: EndpointId;
  create?: boolean;
  expire?: boolean;
  statsId?: string;
  mucRole?: string;
  diarize?: boolean;
  media: Colibri2Media[];
  transport?: Colibri2Transport;
  /** undefined: no `<sources>`; []: an empty `<sources/>` (the endpoint has none). */
  sources?: MediaSource[];
  forceMute?: ForceMute;
  capabilities: string[];
  initialLastN?: number;
}

/** Parses `<endpoint xmlns="jitsi:colibri2">`. */
export function parseColibri2Endpoint(el: Element): Colibri2Endpoint {
  expectElement(el, 'endpoint', NS_COLIBRI2);
  const id = reqAttr(el, 'id');
  const ep: Colibri2Endpoint = {
    id: withContext('<endpoint>', () => toEndpointId(id)),
    media: childrenOf(el, 'media', NS_COLIBRI2).map(parseColibri2Media),
    capabilities: childrenOf(el, 'capability', NS_COLIBRI2).map((c) => reqAttr(c, 'name')),
  };
  const create = optBool(el, 'create');
  if (create !== undefined) ep.create = create;
  const expire = optBool(el, 'expire');
  if (expire !== undefined) ep.expire = expire;
  const statsId = optAttr(el, 'stats-id');
  if (statsId !== undefined) ep.statsId = statsId;
  const mucRole = optAttr(el, 'muc-role');
  if (mucRole !== undefined) ep.mucRole = mucRole;
  const diarize = optBool(el, 'diarize');
  if (diarize !== undefined) ep.diarize = diarize;
  const transport = optChild(el, 'transport', NS_COLIBRI2);
  if (transport !== undefined) ep.transport = parseColibri2Transport(transport);
  const sources = optChild(el, 'sources', NS_COLIBRI2);
  if (sources !== undefined) ep.sources = parseSourcesList(sources);
  const fm = optChild(el, 'force-mute', NS_COLIBRI2);
  if (fm !== undefined) {
    ep.forceMute = {};
    const audio = optBool(fm, 'audio');
    if (audio !== undefined) ep.forceMute.audio = audio;
    const video = optBool(fm, 'video');
    if (video !== undefined) ep.forceMute.video = video;
  }
  const lastN = optChild(el, 'initial-last-n', NS_COLIBRI2);
  if (lastN !== undefined) ep.initialLastN = reqInt(lastN, 'value', -1, 0x7fffffff);
  return ep;
}

/** Builds `<endpoint>` (inherits the colibri2 namespace). */
export function buildColibri2Endpoint(ep: Colibri2Endpoint): Element {
  return xmlElement(
    'endpoint',
    {
      id: ep.id,
      create: ep.create,
      expire: ep.expire,
      'stats-id': ep.statsId,
      'muc-role': ep.mucRole,
      diarize: ep.diarize,
    },
    [
      ...ep.media.map(buildColibri2Media),
      ep.transport !== undefined && buildColibri2Transport(ep.transport),
      ep.sources !== undefined && buildSourcesList(ep.sources),
      ep.forceMute !== undefined && xmlElement('force-mute', { audio: ep.forceMute.audio, video: ep.forceMute.video }),
      ...ep.capabilities.map((name) => xmlElement('capability', { name })),
      ep.initialLastN !== undefined && xmlElement('initial-last-n', { value: ep.initialLastN }),
    ],
  );
}

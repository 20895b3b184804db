import type { Element } from 'ltx';
import { NS_COLIBRI2 } from '../xml/namespaces.js';
import { childrenOf, expectElement, optChild } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type Colibri2Endpoint, buildColibri2Endpoint, parseColibri2Endpoint } from './endpoint.js';
import { type Colibri2Relay, buildColibri2Relay, parseColibri2Relay } from './relay.js';
import { type MediaSource, buildSourcesList, parseSourcesList } from './media-source.js';

/** `<conference-modified xmlns="jitsi:colibri2">`: the bridge's answer. */
export interface ConferenceModified {
  endpoints: Colibri2Endpoint[];
  relays: Colibri2Relay[];
  /** The bridge's feedback sources (`jvb-a0`, `jvb-v0`), sent when a conference or endpoint is created. */
  sources?: MediaSource[];
}

/** Parses `<conference-modified>`. */
export function parseConferenceModified(el: Element): ConferenceModified {
  expectElement(el, 'conference-modified', NS_COLIBRI2);
  const cm: ConferenceModified = {
    endpoints: childrenOf(el, 'endpoint', NS_COLIBRI2).map(parseColibri2Endpoint),
    relays: childrenOf(el, 'relay', NS_COLIBRI2).map(parseColibri2Relay),
  };
  const sources = optChild(el, 'sources', NS_COLIBRI2);
  if (sources !== undefined) cm.sources = parseSourcesList(sources);
  return cm;
}

/** Builds `<conference-modified>`. */
export function buildConferenceModified(cm: ConferenceModified): Element {
  return xmlElement('conference-modified', { xmlns: NS_COLIBRI2 }, [
    ...cm.endpoints.map(buildColibri2Endpoint),
    ...cm.relays.map(buildColibri2Relay),
    cm.sources !== undefined && buildSourcesList(cm.sources),
  ]);
}

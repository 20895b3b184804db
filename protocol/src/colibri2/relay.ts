import type { Element } from 'ltx';
import { NS_COLIBRI2 } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optBool, optChild, reqAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type Colibri2Media, buildColibri2Media, parseColibri2Media } from './media.js';
import { type Colibri2Transport, buildColibri2Transport, parseColibri2Transport } from './transport.js';
import { type Colibri2Endpoint, buildColibri2Endpoint, parseColibri2Endpoint } from './endpoint.js';

/** `<relay id>`: a bridge-to-bridge (Octo) link; `endpoints` are the remote bridge's participants. */
export interface Colibri2Relay {
  id: string;
  create?: boolean;
  expire?: boolean;
  meshId?: string;
  media: Colibri2Media[];
  transport?: Colibri2Transport;
  /** undefined: no `<endpoints>` element. */
  endpoints?: Colibri2Endpoint[];
}

/** Parses `<relay xmlns="jitsi:colibri2">`. */
export function parseColibri2Relay(el: Element): Colibri2Relay {
  expectElement(el, 'relay', NS_COLIBRI2);
  const relay: Colibri2Relay = {
    id: reqAttr(el, 'id'),
    media: childrenOf(el, 'media', NS_COLIBRI2).map(parseColibri2Media),
  };
  const create = optBool(el, 'create');
  if (create !== undefined) relay.create = create;
  const expire = optBool(el, 'expire');
  if (expire !== undefined) relay.expire = expire;
  const meshId = optAttr(el, 'mesh-id');
  if (meshId !== undefined) relay.meshId = meshId;
  const transport = optChild(el, 'transport', NS_COLIBRI2);
  if (transport !== undefined) relay.transport = parseColibri2Transport(transport);
  const endpoints = optChild(el, 'endpoints', NS_COLIBRI2);
  if (endpoints !== undefined)
    relay.endpoints = childrenOf(endpoints, 'endpoint', NS_COLIBRI2).map(parseColibri2Endpoint);
  return relay;
}

/** Builds `<relay>` (inherits the colibri2 namespace). */
export function buildColibri2Relay(r: Colibri2Relay): Element {
  return xmlElement('relay', { id: r.id, create: r.create, expire: r.expire, 'mesh-id': r.meshId }, [
    ...r.media.map(buildColibri2Media),
    r.transport !== undefined && buildColibri2Transport(r.transport),
    r.endpoints !== undefined && xmlElement('endpoints', {}, r.endpoints.map(buildColibri2Endpoint)),
  ]);
}

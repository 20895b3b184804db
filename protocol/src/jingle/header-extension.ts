import type { Element } from 'ltx';
import { NS_JINGLE_HDREXT } from '../xml/namespaces.js';
import { expectElement, optEnum, reqAttr, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

export const HDREXT_SENDERS = ['both', 'initiator', 'responder', 'none'] as const;

/** `<rtp-hdrext id uri senders?>` (XEP-0294); ids must match what the bridge is told. */
export interface HeaderExtension {
  id: number;
  uri: string;
  senders?: (typeof HDREXT_SENDERS)[number];
}

/** Parses `<rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0">`. */
export function parseHeaderExtension(el: Element): HeaderExtension {
  expectElement(el, 'rtp-hdrext', NS_JINGLE_HDREXT);
  const ext: HeaderExtension = { id: reqInt(el, 'id', 1, 255), uri: reqAttr(el, 'uri') };
  const senders = optEnum(el, 'senders', HDREXT_SENDERS);
  if (senders !== undefined) ext.senders = senders;
  return ext;
}

/** Builds `<rtp-hdrext>`. */
export function buildHeaderExtension(ext: HeaderExtension): Element {
  return xmlElement('rtp-hdrext', { xmlns: NS_JINGLE_HDREXT, id: ext.id, uri: ext.uri, senders: ext.senders });
}

import type { Element } from 'ltx';
import { NS_JINGLE_RTCP_FB } from '../xml/namespaces.js';
import { expectElement, optAttr, reqAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

/** `<rtcp-fb type subtype?>` (XEP-0293), e.g. `nack pli`, `ccm fir`, `transport-cc`. */
export interface RtcpFb {
  type: string;
  subtype?: string;
}

/** Parses `<rtcp-fb xmlns="urn:xmpp:jingle:apps:rtp:rtcp-fb:0">`. */
export function parseRtcpFb(el: Element): RtcpFb {
  expectElement(el, 'rtcp-fb', NS_JINGLE_RTCP_FB);
  const fb: RtcpFb = { type: reqAttr(el, 'type') };
  const subtype = optAttr(el, 'subtype');
  if (subtype !== undefined && subtype !== '') fb.subtype = subtype;
  return fb;
}

/** Builds `<rtcp-fb>`. */
export function buildRtcpFb(fb: RtcpFb): Element {
  return xmlElement('rtcp-fb', { xmlns: NS_JINGLE_RTCP_FB, type: fb.type, subtype: fb.subtype });
}

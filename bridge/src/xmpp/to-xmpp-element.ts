import type { Element } from 'ltx';
import { xml } from '@xmpp/client';

/**
 * Rebuilds an element with xmpp.js's own ltx class. @xmpp/xml 0.14 imports `ltx/lib/Element.js` (ltx's CJS
 * build) while protocol/ builds with `ltx` (its ESM build); the IQ callee tells replies from "no reply" by
 * `instanceof xml.Element`, so a protocol element returned as is would be answered as an empty result.
 */
export function toXmppElement(el: Element): Element {
  const children = el.children.map((c) => (typeof c === 'string' ? c : toXmppElement(c)));
  return xml(el.name, { ...el.attrs }, ...children);
}

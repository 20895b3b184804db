import type { Element } from 'ltx';
import { xml } from '@xmpp/component';

/**
 * Rebuilds an element with xmpp.js's own ltx classes. @xmpp/component is CommonJS and gets ltx's CJS build,
 * while protocol/ builds with ltx's ESM build; xmpp.js's IQ callee tells replies apart by `instanceof`.
 */
export function toXmppElement(el: Element): Element {
  const children = el.children.map((c) => (typeof c === 'string' ? c : toXmppElement(c)));
  return xml(el.name, { ...el.attrs }, ...children);
}

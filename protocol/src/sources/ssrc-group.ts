import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { type Ssrc, parseSsrc } from '../lib/ids.js';
import { NS_JINGLE_SSMA } from '../xml/namespaces.js';
import { describeElement, expectElement, reqAttr, childrenOf } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

/** Simulcast layers, lowest first. */
export const SEMANTICS_SIM = 'SIM';
/** Primary SSRC and its RTX SSRC. */
export const SEMANTICS_FID = 'FID';

/** `<ssrc-group semantics>`: SIM and FID are what Jitsi uses; others are kept as read. */
export interface SsrcGroup {
  semantics: string;
  ssrcs: Ssrc[];
}

/** Parses `<ssrc-group xmlns=ssma semantics><source ssrc/>…</ssrc-group>`. */
export function parseSsrcGroup(el: Element): SsrcGroup {
  expectElement(el, 'ssrc-group', NS_JINGLE_SSMA);
  const where = describeElement(el);
  const semantics = reqAttr(el, 'semantics');
  const ssrcs = childrenOf(el, 'source', NS_JINGLE_SSMA).map((s) =>
    parseSsrc(`${where} <source> attribute 'ssrc'`, reqAttr(s, 'ssrc')),
  );
  if (ssrcs.length === 0) throw new ProtocolError('missing-element', `${where} ${semantics} has no <source>`);
  return { semantics, ssrcs };
}

/** Builds `<ssrc-group>`. */
export function buildSsrcGroup(g: SsrcGroup): Element {
  return xmlElement(
    'ssrc-group',
    { xmlns: NS_JINGLE_SSMA, semantics: g.semantics },
    g.ssrcs.map((ssrc) => xmlElement('source', { ssrc })),
  );
}

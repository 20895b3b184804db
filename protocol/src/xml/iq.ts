import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_CLIENT } from './namespaces.js';
import { expectNamed, optAttr, reqAttr, reqEnum } from './read-element.js';
import { xmlElement } from './build-element.js';
import { type StanzaError, buildStanzaError, parseStanzaError } from './stanza-error.js';

export const IQ_TYPES = ['get', 'set', 'result', 'error'] as const;
export type IqType = (typeof IQ_TYPES)[number];

/** An IQ's envelope: addressing plus its single payload child or its error. */
export interface Iq {
  type: IqType;
  id: string;
  from?: string;
  to?: string;
  payload?: Element;
  error?: StanzaError;
}

/** Parses an `<iq>` envelope (payload stays an element for the codec that owns it). */
export function parseIq(el: Element): Iq {
  expectNamed(el, 'iq');
  const ns = el.getNS();
  if (ns !== undefined && ns !== NS_CLIENT && ns !== 'jabber:component:accept')
    throw new ProtocolError('bad-namespace', `<iq> in namespace "${ns}"`);
  const iq: Iq = { type: reqEnum(el, 'type', IQ_TYPES), id: reqAttr(el, 'id') };
  const from = optAttr(el, 'from');
  if (from !== undefined) iq.from = from;
  const to = optAttr(el, 'to');
  if (to !== undefined) iq.to = to;
  for (const child of el.getChildElements()) {
    if (child.getName() === 'error' && (child.getNS() === ns || child.getNS() === undefined))
      iq.error = parseStanzaError(child);
    else if (iq.payload === undefined) iq.payload = child;
  }
  if ((iq.type === 'get' || iq.type === 'set') && iq.payload === undefined)
    throw new ProtocolError('missing-element', `<iq type="${iq.type}"> has no payload`);
  if (iq.type === 'error' && iq.error === undefined)
    throw new ProtocolError('missing-element', '<iq type="error"> has no <error>');
  return iq;
}

/** Builds an `<iq>`; errors echo the request payload only if given. */
export function buildIq(iq: Iq): Element {
  return xmlElement('iq', { type: iq.type, id: iq.id, from: iq.from, to: iq.to }, [
    iq.payload,
    iq.error !== undefined && buildStanzaError(iq.error),
  ]);
}

/** The result IQ acknowledging `req` (addresses swapped, same id). */
export function resultFor(req: Iq, payload?: Element): Iq {
  const res: Iq = { type: 'result', id: req.id };
  if (req.to !== undefined) res.from = req.to;
  if (req.from !== undefined) res.to = req.from;
  if (payload !== undefined) res.payload = payload;
  return res;
}

/** The error IQ answering `req`. */
export function errorFor(req: Iq, error: StanzaError): Iq {
  const res: Iq = { type: 'error', id: req.id, error };
  if (req.to !== undefined) res.from = req.to;
  if (req.from !== undefined) res.to = req.from;
  return res;
}

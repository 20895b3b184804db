import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_STANZAS } from './namespaces.js';
import { describeElement, expectNamed, optAttr, reqEnum, textOf } from './read-element.js';
import { xmlElement } from './build-element.js';

export const ERROR_TYPES = ['auth', 'cancel', 'continue', 'modify', 'wait'] as const;
export const STANZA_CONDITIONS = [
  'bad-request',
  'conflict',
  'feature-not-implemented',
  'forbidden',
  'gone',
  'internal-server-error',
  'item-not-found',
  'jid-malformed',
  'not-acceptable',
  'not-allowed',
  'not-authorized',
  'policy-violation',
  'recipient-unavailable',
  'redirect',
  'registration-required',
  'remote-server-not-found',
  'remote-server-timeout',
  'resource-constraint',
  'service-unavailable',
  'subscription-required',
  'undefined-condition',
  'unexpected-request',
] as const;
export type StanzaCondition = (typeof STANZA_CONDITIONS)[number];

/** `<error type>` of an IQ or presence (RFC 6120 §8.3); `extensions` are application conditions. */
export interface StanzaError {
  type: (typeof ERROR_TYPES)[number];
  condition: StanzaCondition;
  text?: string;
  /** Legacy numeric code (`code="401"`), kept when present. */
  code?: string;
  /** Application-specific children (e.g. `<unknown-session xmlns="urn:xmpp:jingle:errors:1"/>`). */
  extensions: Element[];
}

/** Parses `<error>`. */
export function parseStanzaError(el: Element): StanzaError {
  expectNamed(el, 'error');
  const type = reqEnum(el, 'type', ERROR_TYPES);
  let condition: StanzaCondition | undefined;
  let text: string | undefined;
  const extensions: Element[] = [];
  for (const child of el.getChildElements()) {
    if (child.getNS() !== NS_STANZAS) extensions.push(child);
    else if (child.getName() === 'text') text = textOf(child);
    else if ((STANZA_CONDITIONS as readonly string[]).includes(child.getName()))
      condition = child.getName() as StanzaCondition;
    else throw new ProtocolError('unknown-value', `${describeElement(el)} condition <${child.getName()}> is unknown`);
  }
  if (condition === undefined) throw new ProtocolError('missing-element', '<error> has no defined condition');
  const err: StanzaError = { type, condition, extensions };
  if (text !== undefined) err.text = text;
  const code = optAttr(el, 'code');
  if (code !== undefined) err.code = code;
  return err;
}

/** Builds `<error>`: condition, text, then extensions. */
export function buildStanzaError(e: StanzaError): Element {
  return xmlElement('error', { type: e.type, code: e.code }, [
    xmlElement(e.condition, { xmlns: NS_STANZAS }),
    e.text !== undefined && xmlElement('text', { xmlns: NS_STANZAS }, [e.text]),
    ...e.extensions,
  ]);
}

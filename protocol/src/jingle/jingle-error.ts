import { NS_JINGLE_ERRORS } from '../xml/namespaces.js';
import { xmlElement } from '../xml/build-element.js';
import type { StanzaCondition, StanzaError } from '../xml/stanza-error.js';

export const JINGLE_ERROR_CONDITIONS = [
  'out-of-order',
  'tie-break',
  'unknown-session',
  'unsupported-info',
  'security-required',
] as const;
export type JingleErrorCondition = (typeof JINGLE_ERROR_CONDITIONS)[number];

/** The Jingle-specific condition (`urn:xmpp:jingle:errors:1`) of a stanza error, if any. */
export function jingleErrorOf(err: StanzaError): JingleErrorCondition | undefined {
  for (const ext of err.extensions)
    if (ext.getNS() === NS_JINGLE_ERRORS && (JINGLE_ERROR_CONDITIONS as readonly string[]).includes(ext.getName()))
      return ext.getName() as JingleErrorCondition;
  return undefined;
}

/** A stanza error for a Jingle IQ, e.g. `item-not-found` + `unknown-session`, or `bad-request` with a reason. */
export function jingleError(
  condition: StanzaCondition,
  options: { jingleCondition?: JingleErrorCondition; text?: string } = {},
): StanzaError {
  const type = condition === 'bad-request' || condition === 'not-acceptable' ? 'modify' : 'cancel';
  const err: StanzaError = { type, condition, extensions: [] };
  if (options.text !== undefined) err.text = options.text;
  if (options.jingleCondition !== undefined)
    err.extensions.push(xmlElement(options.jingleCondition, { xmlns: NS_JINGLE_ERRORS }));
  return err;
}

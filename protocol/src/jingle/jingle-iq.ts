import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_JINGLE } from '../xml/namespaces.js';
import { type Iq, buildIq, parseIq } from '../xml/iq.js';
import { type Jingle, buildJingle, parseJingle } from './jingle.js';

/** A Jingle set IQ: its envelope and the parsed `<jingle>`. */
export interface JingleIq {
  iq: Omit<Iq, 'payload' | 'error'>;
  jingle: Jingle;
}

/** Parses `<iq type="set"><jingle xmlns="urn:xmpp:jingle:1">…</jingle></iq>`. */
export function parseJingleIq(el: Element): JingleIq {
  const { payload, ...envelope } = parseIq(el);
  const iq: JingleIq['iq'] = { type: envelope.type, id: envelope.id };
  if (envelope.from !== undefined) iq.from = envelope.from;
  if (envelope.to !== undefined) iq.to = envelope.to;
  if (iq.type !== 'set') throw new ProtocolError('unknown-value', `Jingle IQ must be type "set", got "${iq.type}"`);
  if (payload === undefined || payload.getName() !== 'jingle' || payload.getNS() !== NS_JINGLE)
    throw new ProtocolError('missing-element', `<iq> needs child <jingle xmlns="${NS_JINGLE}">`);
  return { iq, jingle: parseJingle(payload) };
}

/** Builds the Jingle set IQ. */
export function buildJingleIq(j: JingleIq): Element {
  return buildIq({ ...j.iq, payload: buildJingle(j.jingle) });
}

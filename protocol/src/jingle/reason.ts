import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { NS_JINGLE } from '../xml/namespaces.js';
import { expectElement, textOf } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

export const REASON_CONDITIONS = [
  'alternative-session',
  'busy',
  'cancel',
  'connectivity-error',
  'decline',
  'expired',
  'failed-application',
  'failed-transport',
  'general-error',
  'gone',
  'incompatible-parameters',
  'media-error',
  'security-error',
  'success',
  'timeout',
  'unsupported-applications',
  'unsupported-transports',
] as const;
export type ReasonCondition = (typeof REASON_CONDITIONS)[number];

/** `<reason><condition/><text>…</text></reason>` (XEP-0166 §7.4). */
export interface JingleReason {
  condition: ReasonCondition;
  text?: string;
}

/** Parses `<reason>`: exactly one known condition element, optional text. */
export function parseReason(el: Element): JingleReason {
  expectElement(el, 'reason', NS_JINGLE);
  let condition: ReasonCondition | undefined;
  let text: string | undefined;
  for (const child of el.getChildElements()) {
    if (child.getNS() !== NS_JINGLE) continue;
    if (child.getName() === 'text') text = textOf(child);
    else if ((REASON_CONDITIONS as readonly string[]).includes(child.getName()))
      condition = child.getName() as ReasonCondition;
    else throw new ProtocolError('unknown-value', `<reason> condition <${child.getName()}> is not a Jingle reason`);
  }
  if (condition === undefined) throw new ProtocolError('missing-element', '<reason> has no condition element');
  return text === undefined ? { condition } : { condition, text };
}

/** Builds `<reason>`. */
export function buildReason(r: JingleReason): Element {
  return xmlElement('reason', {}, [xmlElement(r.condition), r.text !== undefined && xmlElement('text', {}, [r.text])]);
}

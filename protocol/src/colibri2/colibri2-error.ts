import { ProtocolError } from '../lib/errors.js';
import { type EndpointId, toEndpointId } from '../lib/ids.js';
import { NS_COLIBRI2 } from '../xml/namespaces.js';
import { optAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import type { StanzaCondition, StanzaError } from '../xml/stanza-error.js';

export const COLIBRI2_ERROR_REASONS = [
  'conference_not_found',
  'conference_already_exists',
  'graceful_shutdown',
  'unknown_endpoint',
  'feature_not_implemented',
  'unspecified',
] as const;
export type Colibri2ErrorReason = (typeof COLIBRI2_ERROR_REASONS)[number];

/** What a bridge error says beyond the stanza condition (PROTOCOL.md §5.6). */
export interface Colibri2ErrorInfo {
  reason: Colibri2ErrorReason;
  /** With `unknown_endpoint`: the `<endpoint id>` the bridge did not know. */
  endpointId?: EndpointId;
}

const TYPE_OF: Partial<Record<StanzaCondition, StanzaError['type']>> = {
  'bad-request': 'modify',
  forbidden: 'auth',
  'not-authorized': 'auth',
};

/** The colibri2 `<error reason>` of a stanza error; undefined when the error did not come from a bridge. */
export function colibri2ErrorOf(err: StanzaError): Colibri2ErrorInfo | undefined {
  const ext = err.extensions.find((e) => e.getName() === 'error' && e.getNS() === NS_COLIBRI2);
  if (ext === undefined) return undefined;
  const raw = (optAttr(ext, 'reason') ?? 'unspecified').toLowerCase();
  if (!(COLIBRI2_ERROR_REASONS as readonly string[]).includes(raw))
    throw new ProtocolError('unknown-value', `<error xmlns="${NS_COLIBRI2}"> reason "${raw}" is unknown`);
  const info: Colibri2ErrorInfo = { reason: raw as Colibri2ErrorReason };
  const ep = err.extensions.find((e) => e.getName() === 'endpoint' && e.getNS() === NS_COLIBRI2);
  const id = ep === undefined ? undefined : optAttr(ep, 'id');
  if (id !== undefined) info.endpointId = toEndpointId(id);
  return info;
}

/** A stanza error as JVB words it: condition, text, and the colibri2 reason (plus endpoint for unknown_endpoint). */
export function colibri2Error(condition: StanzaCondition, text: string, info?: Colibri2ErrorInfo): StanzaError {
  const err: StanzaError = { type: TYPE_OF[condition] ?? 'cancel', condition, text, extensions: [] };
  if (info !== undefined) {
    err.extensions.push(xmlElement('error', { xmlns: NS_COLIBRI2, reason: info.reason }));
    if (info.endpointId !== undefined)
      err.extensions.push(xmlElement('endpoint', { xmlns: NS_COLIBRI2, id: info.endpointId }));
  }
  return err;
}

import { colibri2Error, type Colibri2ErrorReason } from '@convene/protocol/colibri2';
import type { EndpointId } from '@convene/protocol/lib';
import { StanzaFailure, type StanzaCondition } from '@convene/protocol/xml';

/** A Colibri2 refusal worded as JVB words it: condition, text, and the `jitsi:colibri2` reason (PROTOCOL.md §5.6). */
export function colibri2Failure(
  code: string,
  condition: StanzaCondition,
  text: string,
  reason?: Colibri2ErrorReason,
  endpointId?: EndpointId,
): StanzaFailure {
  const info = reason === undefined ? undefined : endpointId === undefined ? { reason } : { reason, endpointId };
  return new StanzaFailure(code, colibri2Error(condition, text, info));
}

export const badRequest = (code: string, text: string): StanzaFailure => colibri2Failure(code, 'bad-request', text);

export const notImplemented = (text: string): StanzaFailure =>
  colibri2Failure('feature-not-implemented', 'feature-not-implemented', text, 'feature_not_implemented');

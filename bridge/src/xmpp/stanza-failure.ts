import { ConveneError, InvalidStateError, NotFoundError, ProtocolError } from '@convene/protocol/lib';
import type { StanzaError } from '@convene/protocol/xml';

/** An IQ handler's refusal with the exact stanza error to answer (condition, text, application children). */
export class StanzaFailure extends ConveneError {
  readonly stanzaError: StanzaError;
  constructor(code: string, stanzaError: StanzaError, options?: ErrorOptions) {
    super(code, stanzaError.text ?? stanzaError.condition, options);
    this.stanzaError = stanzaError;
  }
}

/** The stanza error an IQ route answers for a thrown error (STYLE.md §2.7); internal-server-error means a bug. */
export function stanzaErrorFor(err: unknown): StanzaError {
  if (err instanceof StanzaFailure) return err.stanzaError;
  const text = err instanceof ConveneError ? err.message : undefined;
  const base = (condition: StanzaError['condition'], type: StanzaError['type']): StanzaError =>
    text === undefined ? { type, condition, extensions: [] } : { type, condition, text, extensions: [] };
  if (err instanceof ProtocolError) return base('bad-request', 'modify');
  if (err instanceof NotFoundError) return base('item-not-found', 'cancel');
  if (err instanceof InvalidStateError) return base('unexpected-request', 'wait');
  return { type: 'cancel', condition: 'internal-server-error', extensions: [] };
}

import { ConveneError, InvalidStateError, NotFoundError, ProtocolError } from '@convene/protocol/lib';
import type { StanzaCondition, StanzaError } from '@convene/protocol/xml';

/** An error that already knows the stanza error to answer with (e.g. `resource-constraint`). */
export class StanzaReplyError extends ConveneError {
  readonly stanza: StanzaError;
  constructor(code: string, stanza: StanzaError) {
    super(code, stanza.text ?? stanza.condition);
    this.stanza = stanza;
  }
}

/** The stanza error a handler's exception becomes at the IQ boundary (STYLE.md 2.7). */
export function stanzaErrorFor(err: unknown): StanzaError {
  if (err instanceof StanzaReplyError) return err.stanza;
  const text = err instanceof ConveneError ? err.message : undefined;
  const condition: StanzaCondition =
    err instanceof ProtocolError
      ? 'bad-request'
      : err instanceof NotFoundError
        ? 'item-not-found'
        : err instanceof InvalidStateError
          ? 'unexpected-request'
          : 'internal-server-error';
  const type = condition === 'bad-request' ? 'modify' : 'cancel';
  return text === undefined || condition === 'internal-server-error'
    ? { type, condition, extensions: [] }
    : { type, condition, text, extensions: [] };
}

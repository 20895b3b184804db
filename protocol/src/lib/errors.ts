/** Base of every Convene error: a stable `code` plus a human detail. */
export class ConveneError extends Error {
  readonly code: string;
  constructor(code: string, detail: string, options?: ErrorOptions) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Wire input we cannot accept. */
export class ProtocolError extends ConveneError {}
/** An operation on an object in the wrong state, e.g. already closed. */
export class InvalidStateError extends ConveneError {}
/** Unknown conference, endpoint or source. */
export class NotFoundError extends ConveneError {}

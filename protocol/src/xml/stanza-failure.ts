// The IQ boundary both apps share (STYLE.md §2.7): a typed refusal, the stanza error each error class becomes,
// and the one function that runs a handler, answers, counts and logs.
import type { Element } from 'ltx';
import { ConveneError, InvalidStateError, NotFoundError, ProtocolError } from '../lib/errors.js';
import { buildStanzaError, type StanzaCondition, type StanzaError } from './stanza-error.js';

/** A handler's refusal that already knows the exact stanza error to answer (condition, text, app children). */
export class StanzaFailure extends ConveneError {
  readonly stanzaError: StanzaError;
  constructor(code: string, stanzaError: StanzaError, options?: ErrorOptions) {
    super(code, stanzaError.text ?? stanzaError.condition, options);
    this.stanzaError = stanzaError;
  }
}

/**
 * The stanza error a thrown error becomes: RFC 6120 §8.3.3 conditions with their usual types (a request made at
 * the wrong time may succeed later: `wait`). `internal-server-error` means a bug and carries no text.
 */
export function stanzaErrorFor(err: unknown): StanzaError {
  if (err instanceof StanzaFailure) return err.stanzaError;
  const text = err instanceof ConveneError ? err.message : undefined;
  const [condition, type]: [StanzaCondition, StanzaError['type']] =
    err instanceof ProtocolError
      ? ['bad-request', 'modify']
      : err instanceof NotFoundError
        ? ['item-not-found', 'cancel']
        : err instanceof InvalidStateError
          ? ['unexpected-request', 'wait']
          : ['internal-server-error', 'cancel'];
  return text === undefined || condition === 'internal-server-error'
    ? { type, condition, extensions: [] }
    : { type, condition, text, extensions: [] };
}

/** The part of a pino logger the boundary uses. */
export interface IqBoundaryLog {
  error(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface IqBoundaryContext {
  /** The request's sender, for the log line. */
  from: string | undefined;
  log: IqBoundaryLog;
  /** Refusals counted by error code (`bug` for untyped errors); read by metrics. */
  errors: Map<string, number>;
}

/**
 * Runs an IQ handler: its reply (undefined for an empty result), or the stanza error its exception becomes,
 * counted by code and logged (a bug at error, a refusal at warn). Never throws.
 */
export async function answerIq(
  handler: () => Element | undefined | Promise<Element | undefined>,
  ctx: IqBoundaryContext,
): Promise<Element | undefined> {
  try {
    return await handler();
  } catch (err) {
    const error = stanzaErrorFor(err);
    const code = err instanceof ConveneError ? err.code : 'bug';
    ctx.errors.set(code, (ctx.errors.get(code) ?? 0) + 1);
    if (error.condition === 'internal-server-error') ctx.log.error({ err, from: ctx.from }, 'iq handler failed');
    else ctx.log.warn({ from: ctx.from, condition: error.condition, reason: (err as Error).message }, 'iq refused');
    return buildStanzaError(error);
  }
}

/**
 * Rebuilds an element with another ltx build's classes. xmpp.js gets ltx's CommonJS build, protocol/ the ESM one,
 * and its IQ callee tells a reply from "no reply" by `instanceof`: a protocol element passed as is would be
 * answered as an empty result. `make` is the connection library's own `xml` factory.
 */
export function rebuildElement(
  el: Element,
  make: (name: string, attrs: Record<string, string>, ...children: Array<Element | string>) => Element,
): Element {
  const children = el.children.map((c) => (typeof c === 'string' ? c : rebuildElement(c, make)));
  return make(el.name, { ...(el.attrs as Record<string, string>) }, ...children);
}

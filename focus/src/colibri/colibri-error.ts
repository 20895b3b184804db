import { ConveneError } from '@convene/protocol/lib';
import type { Logger } from 'pino';
import type { Colibri2ErrorReason } from '@convene/protocol/colibri2';

/** Our condition for a result we cannot use (unparsable, or without the transport we asked for). */
export const BAD_REPLY = 'bad-reply';

/** A Colibri2 request failed: the bridge's condition and reason decide what the conference does (PROTOCOL.md §5.6). */
export class ColibriError extends ConveneError {
  readonly condition: string;
  readonly reason: Colibri2ErrorReason | undefined;
  /** The session whose request failed, set by the session: a late answer for an old one must not touch the new. */
  session: object | undefined;
  constructor(condition: string, reason: Colibri2ErrorReason | undefined, detail: string, options?: ErrorOptions) {
    super('colibri-failed', `${condition}${reason === undefined ? '' : ` (${reason})`}: ${detail}`, options);
    this.condition = condition;
    this.reason = reason;
  }

  /** True when the bridge itself is in trouble (not just this request): pick another bridge. */
  get bridgeFailed(): boolean {
    return !['bad-request', 'item-not-found', 'conflict'].includes(this.condition);
  }
}

/** Logs a failed expire: the bridge may have ended the conference itself (its last endpoint left), no problem then. */
export function expireFailed(log: Logger): (err: unknown) => void {
  return (err) => {
    const gone = err instanceof ColibriError && err.reason === 'conference_not_found';
    log[gone ? 'debug' : 'warn']({ err }, 'could not expire the bridge conference');
  };
}

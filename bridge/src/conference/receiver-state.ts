// What an endpoint, as a receiver, asked for over the bridge channel (PROTOCOL.md §7.4). Stored here, on the media
// side, where layer selection and last-N read it; the channel only parses messages and calls the endpoint.
import { randomInt } from 'node:crypto';

const PASSWORD_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** JVB's colibri-ws password: 24 random `[A-Za-z0-9]`, fixed for the endpoint's lifetime. */
export function newChannelPassword(): string {
  let s = '';
  for (let i = 0; i < 24; i++) s += PASSWORD_CHARS[randomInt(PASSWORD_CHARS.length)];
  return s;
}

/** A receiver's wishes: last-N and its video constraints, merged message by message. */
export interface ReceiverState {
  /** Undefined until Colibri2 (`initial-last-n`) or the channel sets it: no limit. */
  lastN?: number;
  /** The known fields of ReceiverVideoConstraints, each replaced by the newest message that has it. */
  videoConstraints?: Readonly<Record<string, unknown>>;
}

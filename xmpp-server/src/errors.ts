import { ConveneError } from '@convene/protocol/lib';

/** Prosody is missing, would not start, or stopped answering. */
export class ProsodyError extends ConveneError {}

export const INSTALL_HINT = 'apt-get update && apt-get install -y prosody';

/** ejabberd is missing, would not start, or refused an account. */
export class EjabberdError extends ConveneError {}

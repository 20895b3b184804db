import { ProtocolError } from './errors.js';

/** Runs `make`, prefixing any ProtocolError's detail with where it happened (same code). */
export function withContext<T>(where: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof ProtocolError) {
      const detail = err.message.slice(err.code.length + 2);
      throw new ProtocolError(err.code, `${where}: ${detail}`, { cause: err });
    }
    throw err;
  }
}

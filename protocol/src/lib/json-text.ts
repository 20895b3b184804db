import { ProtocolError } from './errors.js';

/** JSON.parse that throws ProtocolError `bad-json`. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ProtocolError('bad-json', `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

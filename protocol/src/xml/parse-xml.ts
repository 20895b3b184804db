import { parse, type Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';

/** Parses XML text into an ltx element; malformed input throws ProtocolError `bad-xml`. */
export function parseXml(text: string): Element {
  let root: Element | null;
  try {
    root = parse(text);
  } catch (err) {
    throw new ProtocolError('bad-xml', `malformed XML: ${(err as Error).message}`, { cause: err });
  }
  if (root === null || typeof root !== 'object') throw new ProtocolError('bad-xml', 'no root element');
  return root;
}

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from 'ltx';
import { parseXml } from '@convene/protocol/xml';

/** Root of the protocol fixtures. */
export const PROTOCOL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'protocol');

/** The text of `test/fixtures/protocol/<rel>`. */
export function fixtureText(rel: string): string {
  return readFileSync(join(PROTOCOL_FIXTURES, rel), 'utf8');
}

/** The parsed root element of an XML fixture. */
export function loadXml(rel: string): Element {
  return parseXml(fixtureText(rel));
}

/** Names (without extension) of the fixtures with this extension in a folder, sorted. */
export function fixtureNames(dir: string, ext: string): string[] {
  return readdirSync(join(PROTOCOL_FIXTURES, dir))
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length))
    .sort();
}

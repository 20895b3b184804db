import { Element } from 'ltx';

/** Attribute values as builders pass them; undefined means "leave the attribute out". */
export type AttrValues = Record<string, string | number | boolean | undefined>;

/** Builds an element, dropping undefined attributes and undefined children. */
export function xmlElement(
  name: string,
  attrs: AttrValues = {},
  children: ReadonlyArray<Element | string | undefined | false> = [],
): Element {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = String(v);
  const el = new Element(name, clean);
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

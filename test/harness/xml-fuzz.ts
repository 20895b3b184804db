import fc from 'fast-check';
import { type Element, parse } from 'ltx';
import { ProtocolError } from '@convene/protocol/lib';

/** One random edit of an element tree; indices are taken modulo what exists. */
export type XmlMutation =
  | { kind: 'drop-attr'; node: number; attr: number }
  | { kind: 'set-attr'; node: number; attr: number; value: string }
  | { kind: 'drop-child'; node: number }
  | { kind: 'dup-child'; node: number }
  | { kind: 'set-text'; node: number; value: string }
  | { kind: 'rename'; node: number; value: string }
  | { kind: 'set-ns'; node: number; value: string };

const weird = fc.oneof(
  fc.constantFrom('', '-1', '0', '4294967296', '99999999999999999999', 'NaN', '1.5', 'true', 'x', '{', '[]'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 70000 }).map(String),
);

/** Arbitrary list of mutations. */
export const xmlMutations: fc.Arbitrary<XmlMutation[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('drop-attr' as const), node: fc.nat(), attr: fc.nat() }),
    fc.record({ kind: fc.constant('set-attr' as const), node: fc.nat(), attr: fc.nat(), value: weird }),
    fc.record({ kind: fc.constant('drop-child' as const), node: fc.nat() }),
    fc.record({ kind: fc.constant('dup-child' as const), node: fc.nat() }),
    fc.record({ kind: fc.constant('set-text' as const), node: fc.nat(), value: weird }),
    fc.record({
      kind: fc.constant('rename' as const),
      node: fc.nat(),
      value: fc.constantFrom('source', 'x', 'content'),
    }),
    fc.record({
      kind: fc.constant('set-ns' as const),
      node: fc.nat(),
      value: fc.constantFrom('', 'urn:x', 'jabber:client'),
    }),
  ),
  { minLength: 1, maxLength: 4 },
);

function nodes(el: Element): Element[] {
  return [el, ...el.getChildElements().flatMap(nodes)];
}

/** Applies mutations to a fresh copy of `xml`. */
export function mutateXml(xml: string, mutations: readonly XmlMutation[]): Element {
  const root = parse(xml);
  for (const m of mutations) {
    const all = nodes(root);
    const el = all[m.node % all.length] as Element;
    const attrNames = Object.keys(el.attrs);
    switch (m.kind) {
      case 'drop-attr':
        if (attrNames.length > 0)
          delete (el.attrs as Record<string, unknown>)[attrNames[m.attr % attrNames.length] as string];
        break;
      case 'set-attr':
        if (attrNames.length > 0) el.attrs[attrNames[m.attr % attrNames.length] as string] = m.value;
        break;
      case 'drop-child': {
        const kids = el.getChildElements();
        if (kids.length > 0) el.remove(kids[m.node % kids.length] as Element);
        break;
      }
      case 'dup-child': {
        const kids = el.getChildElements();
        if (kids.length > 0) el.append(parse((kids[m.node % kids.length] as Element).toString()));
        break;
      }
      case 'set-text':
        el.children = el.children.filter((c) => typeof c !== 'string');
        el.append(m.value);
        break;
      case 'rename':
        el.name = m.value;
        break;
      case 'set-ns':
        el.attrs.xmlns = m.value;
        break;
    }
  }
  return root;
}

/** Runs `parser` on mutated copies of each fixture; anything but success or ProtocolError fails the property. */
export function fuzzXmlParser(fixtures: readonly string[], parser: (el: Element) => unknown, numRuns = 200): void {
  fc.assert(
    fc.property(fc.nat({ max: fixtures.length - 1 }), xmlMutations, (i, muts) => {
      const el = mutateXml(fixtures[i] as string, muts);
      try {
        parser(el);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
    }),
    { numRuns },
  );
}

/** Runs `parser` on randomly edited text (truncation, insertion); only ProtocolError may escape. */
export function fuzzTextParser(samples: readonly string[], parser: (text: string) => unknown, numRuns = 200): void {
  fc.assert(
    fc.property(
      fc.nat({ max: samples.length - 1 }),
      fc.nat(),
      fc.nat(),
      fc.string({ maxLength: 6 }),
      (i, at, cut, insert) => {
        const s = samples[i] as string;
        const a = at % (s.length + 1);
        const text = s.slice(0, a) + insert + s.slice(Math.min(s.length, a + (cut % 8)));
        try {
          parser(text);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      },
    ),
    { numRuns },
  );
}

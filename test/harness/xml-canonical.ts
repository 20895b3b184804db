import { type Element, parse } from 'ltx';

/**
 * A canonical text form of an XML element for comparing builder output with fixtures: namespaces resolved,
 * attributes sorted (xmlns declarations dropped), whitespace-only text dropped, and children ordered stably
 * by (namespace, name) so that only the order among same-named siblings counts, as it does on the wire.
 * `jabber:client` counts as no namespace: it is the stream default, so stanzas carry it or not.
 */
export function canonicalXml(input: Element | string): string {
  const el = typeof input === 'string' ? parse(input) : parse(input.toString());
  return render(el, 0);
}

function render(el: Element, depth: number): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(el.attrs as Record<string, unknown>)
    .filter(([k, v]) => k !== 'xmlns' && !k.startsWith('xmlns:') && v !== undefined)
    .map(([k, v]) => `${k}="${String(v)}"`)
    .sort();
  const head = `${pad}{${nsOf(el)}}${el.getName()}${attrs.length > 0 ? ' ' + attrs.join(' ') : ''}`;
  const text = el.children
    .filter((c): c is string => typeof c === 'string')
    .join('')
    .trim();
  const kids = el
    .getChildElements()
    .map((c, i) => ({ key: `{${nsOf(c)}}${c.getName()}`, i, c }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((k) => render(k.c, depth + 1));
  return [head + (text !== '' ? ` "${text}"` : ''), ...kids].join('\n');
}

function nsOf(el: Element): string {
  const ns = el.getNS() ?? '';
  return ns === 'jabber:client' ? '' : ns;
}

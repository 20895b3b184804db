import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';

/** `<name xmlns="ns">` for error messages. */
export function describeElement(el: Element): string {
  const ns = el.getNS();
  return ns === undefined ? `<${el.name}>` : `<${el.name} xmlns="${ns}">`;
}

/** Checks the element's name and namespace; throws `unexpected-element` or `bad-namespace`. */
export function expectElement(el: Element, name: string, ns: string): Element {
  if (typeof el !== 'object' || el === null || typeof el.name !== 'string')
    throw new ProtocolError('unexpected-element', `expected <${name}>, got no element`);
  if (el.getName() !== name) throw new ProtocolError('unexpected-element', `expected <${name}>, got <${el.name}>`);
  if (el.getNS() !== ns)
    throw new ProtocolError('bad-namespace', `<${name}> must be in namespace "${ns}", got "${el.getNS() ?? ''}"`);
  return el;
}

/** Checks only the element's name (stanzas: any of jabber:client, component or none); throws `unexpected-element`. */
export function expectNamed(el: Element, name: string): Element {
  if (typeof el !== 'object' || el === null || typeof el.name !== 'string')
    throw new ProtocolError('unexpected-element', `expected <${name}>, got no element`);
  if (el.getName() !== name) throw new ProtocolError('unexpected-element', `expected <${name}>, got <${el.name}>`);
  return el;
}

/** The attribute's value, or undefined when absent. */
export function optAttr(el: Element, name: string): string | undefined {
  const v: unknown = el.attrs[name];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The attribute's value; throws `missing-attribute` when absent or empty. */
export function reqAttr(el: Element, name: string): string {
  const v = optAttr(el, name);
  if (v === undefined || v === '')
    throw new ProtocolError('missing-attribute', `${describeElement(el)} needs attribute '${name}'`);
  return v;
}

const INTEGER = /^-?\d+$/;

function toInt(el: Element, name: string, raw: string, min: number, max: number): number {
  if (!INTEGER.test(raw.trim()))
    throw new ProtocolError('bad-number', `${describeElement(el)} attribute '${name}' is not an integer: "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max)
    throw new ProtocolError('out-of-range', `${describeElement(el)} attribute '${name}'=${raw} not in ${min}..${max}`);
  return n;
}

/** An integer attribute in [min, max], or undefined when absent. */
export function optInt(el: Element, name: string, min: number, max: number): number | undefined {
  const raw = optAttr(el, name);
  return raw === undefined ? undefined : toInt(el, name, raw, min, max);
}

/** A required integer attribute in [min, max]. */
export function reqInt(el: Element, name: string, min: number, max: number): number {
  return toInt(el, name, reqAttr(el, name), min, max);
}

/** A decimal number in text form (`bad-number` otherwise). */
export function toDecimal(where: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new ProtocolError('bad-number', `${where} is not a number: "${raw}"`);
  return n;
}

/** A boolean attribute (`true`/`false`, case-insensitive, also `1`/`0`), or undefined when absent. */
export function optBool(el: Element, name: string): boolean | undefined {
  const raw = optAttr(el, name);
  if (raw === undefined) return undefined;
  return toBool(`${describeElement(el)} attribute '${name}'`, raw);
}

/** Reads `true`/`false`/`1`/`0`; anything else throws `unknown-value`. */
export function toBool(where: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ProtocolError('unknown-value', `${where} must be true or false, got "${raw}"`);
}

/** An attribute restricted to a fixed set of values, or undefined when absent. */
export function optEnum<T extends string>(el: Element, name: string, values: readonly T[]): T | undefined {
  const raw = optAttr(el, name);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw))
    throw new ProtocolError(
      'unknown-value',
      `${describeElement(el)} attribute '${name}'="${raw}" is not one of ${values.join(', ')}`,
    );
  return raw as T;
}

/** A required attribute restricted to a fixed set of values. */
export function reqEnum<T extends string>(el: Element, name: string, values: readonly T[]): T {
  reqAttr(el, name);
  return optEnum(el, name, values) as T;
}

/** Child elements with this name and namespace, in document order. */
export function childrenOf(el: Element, name: string, ns: string): Element[] {
  return el.getChildren(name, ns);
}

/** The first child with this name and namespace, or undefined. */
export function optChild(el: Element, name: string, ns: string): Element | undefined {
  return el.getChild(name, ns);
}

/** The first child with this name and namespace; throws `missing-element`. */
export function reqChild(el: Element, name: string, ns: string): Element {
  const child = el.getChild(name, ns);
  if (child === undefined)
    throw new ProtocolError('missing-element', `${describeElement(el)} needs child <${name} xmlns="${ns}">`);
  return child;
}

/** The element's text content, trimmed. */
export function textOf(el: Element): string {
  return el.getText().trim();
}

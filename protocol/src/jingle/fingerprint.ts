import type { Element } from 'ltx';
import { NS_JINGLE_DTLS } from '../xml/namespaces.js';
import { expectElement, optBool, optEnum, reqAttr, textOf, describeElement } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { ProtocolError } from '../lib/errors.js';

export const DTLS_SETUPS = ['actpass', 'active', 'passive', 'holdconn'] as const;
export type DtlsSetup = (typeof DTLS_SETUPS)[number];

/** `<fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash setup? cryptex?>HEX:…</fingerprint>`. */
export interface Fingerprint {
  hash: string;
  value: string;
  setup?: DtlsSetup;
  cryptex?: boolean;
}

/** Parses a DTLS fingerprint. */
export function parseFingerprint(el: Element): Fingerprint {
  expectElement(el, 'fingerprint', NS_JINGLE_DTLS);
  const value = textOf(el);
  if (value === '') throw new ProtocolError('missing-element', `${describeElement(el)} has no fingerprint text`);
  const fp: Fingerprint = { hash: reqAttr(el, 'hash'), value };
  const setup = optEnum(el, 'setup', DTLS_SETUPS);
  if (setup !== undefined) fp.setup = setup;
  const cryptex = optBool(el, 'cryptex');
  if (cryptex !== undefined) fp.cryptex = cryptex;
  return fp;
}

/** Builds `<fingerprint>`. */
export function buildFingerprint(fp: Fingerprint): Element {
  return xmlElement('fingerprint', { xmlns: NS_JINGLE_DTLS, hash: fp.hash, setup: fp.setup, cryptex: fp.cryptex }, [
    fp.value,
  ]);
}

// A stand-in for the focus in bridge tests: an XEP-0114 component that joins the brewery as
// `focus@focus.<domain>/focus` with nick `focus`, and sends Colibri2 the way Jicofo does.
import type { Element } from 'ltx';
import { xml } from '@xmpp/component';
import type { XmppServer } from '@convene/xmpp-server';
import { parseStanzaError, parseXml, type StanzaError } from '@convene/protocol/xml';
import { connectClient, connectComponent, type XmppPeer } from './xmpp-peer.js';

export const NS_MUC = 'http://jabber.org/protocol/muc';
export const NS_COLIBRI = 'http://jitsi.org/protocol/colibri';

/** Rebuilds an element (e.g. from protocol's parseXml) with the component's own ltx classes. */
export function toComponentElement(el: Element): Element {
  const children = el.children.map((c) => (typeof c === 'string' ? c : toComponentElement(c)));
  return xml(el.name, { ...el.attrs }, ...children);
}

/** Whether a stanza is an available presence from this occupant. */
export function isPresenceFrom(from: string) {
  return (s: Element) => s.is('presence') && s.attrs.from === from && s.attrs.type === undefined;
}

export interface BreweryPeer {
  peer: XmppPeer;
  /** This peer's occupant JID in the brewery. */
  occupant: string;
  /** The full JID it sends from. */
  jid: string;
  /** Sends `<iq type=set>` with this payload to a brewery occupant; resolves with the result or rejects. */
  iq(toNick: string, payloadXml: string, type?: 'get' | 'set', timeoutMs?: number): Promise<Element>;
}

/** The focus: component `focus.<domain>`, in the brewery as `focus@focus.<domain>/focus`, nick `focus`. */
export async function joinBreweryAsFocus(prosody: XmppServer): Promise<BreweryPeer> {
  const peer = await connectComponent({
    service: `xmpp://${prosody.bindAddress}:${prosody.ports.component}`,
    domain: prosody.layout.focusDomain,
    password: prosody.focusSecret,
  });
  const jid = `${prosody.layout.focusJid}/focus`;
  const occupant = `${prosody.layout.breweryRoom}/focus`;
  await peer.send(xml('presence', { from: jid, to: occupant }, xml('x', { xmlns: NS_MUC })));
  await peer.waitFor('focus in the brewery', isPresenceFrom(occupant));
  return breweryPeer(peer, prosody, jid, occupant);
}

/** Someone else in the brewery: a password account on the auth host, with its own nick. */
export async function joinBreweryAsAccount(
  prosody: XmppServer,
  account: { user: string; password: string },
  nick: string,
): Promise<BreweryPeer> {
  const peer = await connectClient({
    service: `xmpp://${prosody.bindAddress}:${prosody.ports.c2s}`,
    domain: prosody.layout.authDomain,
    username: account.user,
    password: account.password,
  });
  const occupant = `${prosody.layout.breweryRoom}/${nick}`;
  await peer.send(xml('presence', { to: occupant }, xml('x', { xmlns: NS_MUC })));
  await peer.waitFor('account in the brewery', isPresenceFrom(occupant));
  return breweryPeer(peer, prosody, peer.jid, occupant);
}

function breweryPeer(peer: XmppPeer, prosody: XmppServer, jid: string, occupant: string): BreweryPeer {
  let n = 0;
  return {
    peer,
    occupant,
    jid,
    iq(toNick, payloadXml, type = 'set', timeoutMs = 5_000) {
      const id = `t${++n}-${Date.now()}`;
      const payload = toComponentElement(parseXml(payloadXml));
      const to = `${prosody.layout.breweryRoom}/${toNick}`;
      return peer.request(xml('iq', { type, id, from: jid, to }, payload), timeoutMs);
    },
  };
}

/** The stanza error of a rejected IQ request (xmpp.js StanzaError with `.element`). */
export function stanzaErrorOf(err: unknown): StanzaError {
  const el = (err as { element?: Element }).element;
  if (el === undefined) throw err;
  return parseStanzaError(el);
}

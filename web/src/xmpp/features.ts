import type { Element } from 'ltx';
import { xmlElement } from '@convene/protocol/xml';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

/**
 * What this client advertises to the focus's disco#info (PROTOCOL.md §3.5), as lib-jitsi-meet does, minus
 * `ssrc-rewriting-1`. With `dtls-sctp` the focus offers the `data` content, and the bridge channel goes over SCTP.
 */
export const CLIENT_FEATURES = [
  'http://jabber.org/protocol/disco#info',
  'urn:xmpp:jingle:1',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video',
  'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:transports:dtls-sctp:1',
  'urn:xmpp:jingle:apps:dtls:0',
  'urn:ietf:rfc:5888',
  'urn:ietf:rfc:5761',
  'urn:ietf:rfc:4588',
  'http://jitsi.org/tcc',
  'http://jitsi.org/json-encoded-sources',
  'http://jitsi.org/source-name',
  'http://jitsi.org/receive-multiple-video-streams',
] as const;

/** The disco#info answer: an identity and the features (the request's node is echoed). */
export function buildDiscoInfo(request: Element): Element {
  return xmlElement('query', { xmlns: NS_DISCO_INFO, node: request.attrs.node as string | undefined }, [
    xmlElement('identity', { category: 'client', type: 'web', name: 'Convene web' }),
    ...CLIENT_FEATURES.map((v) => xmlElement('feature', { var: v })),
  ]);
}

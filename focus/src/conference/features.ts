import type { Element } from 'ltx';
import type { Logger } from 'pino';
import { xmlElement } from '@convene/protocol/xml';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import { DEFAULT_FEATURES, type ParticipantFeatures } from './offer.js';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

/** disco#info feature vars and what they turn on (PROTOCOL.md §3.5). */
export function featuresFrom(vars: ReadonlySet<string>): ParticipantFeatures {
  return {
    audio: vars.has('urn:xmpp:jingle:apps:rtp:audio'),
    video: vars.has('urn:xmpp:jingle:apps:rtp:video'),
    sctp: vars.has('urn:xmpp:jingle:transports:dtls-sctp:1'),
    rtx: vars.has('urn:ietf:rfc:4588'),
    tcc: vars.has('http://jitsi.org/tcc'),
    remb: vars.has('http://jitsi.org/remb'),
    jsonSources: vars.has('http://jitsi.org/json-encoded-sources'),
  };
}

/** Asks a participant what it supports; results are cached per caps node#ver, failures fall back to Jicofo's default. */
export class FeatureDiscovery {
  readonly #conn: FocusConnection;
  readonly #log: Logger;
  readonly #cache = new Map<string, ParticipantFeatures>();

  constructor(conn: FocusConnection, log: Logger) {
    this.#conn = conn;
    this.#log = log;
  }

  async discover(
    from: string,
    occupantJid: string,
    caps: { node: string; ver: string } | undefined,
  ): Promise<ParticipantFeatures> {
    const key = caps === undefined ? undefined : `${caps.node}#${caps.ver}`;
    const cached = key === undefined ? undefined : this.#cache.get(key);
    if (cached !== undefined) return cached;
    let result: Element;
    try {
      result = await this.#conn.request(
        xmlElement('iq', { type: 'get', from, to: occupantJid }, [
          xmlElement('query', { xmlns: NS_DISCO_INFO, node: key }),
        ]),
        5_000,
      );
    } catch (err) {
      this.#log.info({ err, occupantJid }, 'feature discovery failed; assuming audio, video and sctp');
      return DEFAULT_FEATURES;
    }
    const vars = new Set(
      (result.getChild('query', NS_DISCO_INFO)?.getChildren('feature') ?? []).map((f) => String(f.attrs.var)),
    );
    const features = featuresFrom(vars);
    if (key !== undefined) this.#cache.set(key, features);
    return features;
  }
}

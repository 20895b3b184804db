import type { Element } from 'ltx';
import type { Logger } from 'pino';
import type { Caps } from '@convene/protocol/jitsi';
import { xmlElement } from '@convene/protocol/xml';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import { CapsCache } from './caps-cache.js';
import { capsVerMatches } from './caps-ver.js';
import { DEFAULT_FEATURES, type ParticipantFeatures } from './offer.js';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
/** The client maps forwarded sources from the bridge's VideoSourcesMap/AudioSourcesMap (PROTOCOL.md §3.5). */
export const FEATURE_SSRC_REWRITING = 'http://jitsi.org/ssrc-rewriting-1';

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
    ssrcRewriting: vars.has(FEATURE_SSRC_REWRITING),
  };
}

export interface FeatureDiscoveryOptions {
  /** Verified caps kept at most (least recently used go first). */
  capsCacheSize: number;
  /** A verified caps entry is asked again after this long. */
  capsCacheTtlMs: number;
}

/**
 * Asks a participant what it supports. An answer is cached by caps `node#ver` only when it hashes to that `ver`
 * (XEP-0115 §5.4): anyone can claim any `ver`, so an unverified answer is used for its own participant only.
 * Failures fall back to Jicofo's default.
 */
export class FeatureDiscovery {
  readonly #conn: FocusConnection;
  readonly #log: Logger;
  readonly #cache: CapsCache<ParticipantFeatures>;
  /** Disco answers that did not hash to the claimed caps `ver` (not cached), for /stats and /metrics. */
  capsMismatches = 0;

  constructor(conn: FocusConnection, log: Logger, options: FeatureDiscoveryOptions) {
    this.#conn = conn;
    this.#log = log;
    this.#cache = new CapsCache(options.capsCacheSize, options.capsCacheTtlMs);
  }

  async discover(from: string, occupantJid: string, caps: Caps | undefined): Promise<ParticipantFeatures> {
    const key = caps === undefined ? undefined : `${caps.node}#${caps.ver}`;
    const cached = key === undefined ? undefined : this.#cache.get(key, Date.now());
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
    const query = result.getChild('query', NS_DISCO_INFO);
    const vars = new Set((query?.getChildren('feature', NS_DISCO_INFO) ?? []).map((f) => String(f.attrs.var)));
    const features = featuresFrom(vars);
    if (caps === undefined || key === undefined || query === undefined) return features;
    if (capsVerMatches(caps.hash, caps.ver, query)) {
      this.#cache.set(key, features, Date.now());
    } else {
      this.capsMismatches++;
      this.#log.warn({ occupantJid, node: caps.node, ver: caps.ver }, 'disco answer does not match caps; not cached');
    }
    return features;
  }
}

// A participant that signals like lib-jitsi-meet (PROTOCOL.md §2–§4) over a real XMPP connection: conference
// request, MUC join with nick = endpoint id, Jingle acks and answers. No media: test/e2e adds that.
import { createHash } from 'node:crypto';
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { buildJingleIq, parseJingle, type Jingle, type JingleContent } from '@convene/protocol/jingle';
import { buildConferenceRequest, parseConferenceReply, type ConferenceReply } from '@convene/protocol/jitsi';
import { toSourceName, toSsrc } from '@convene/protocol/lib';
import { NS_FOCUS, NS_JINGLE } from '@convene/protocol/xml';
import type { XmppServer } from '@convene/xmpp-server';
import { connectClient, toXmpp, type XmppPeer } from './xmpp-peer.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_CAPS = 'http://jabber.org/protocol/caps';

/** What lib-jitsi-meet advertises by default (PROTOCOL.md §3.5). */
export const JITSI_FEATURES = [
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video',
  'urn:xmpp:jingle:transports:dtls-sctp:1',
  'urn:ietf:rfc:4588',
  'http://jitsi.org/tcc',
  'http://jitsi.org/json-encoded-sources',
  'http://jitsi.org/source-name',
];

/** XEP-0115 caps as a client whose disco#info lists exactly `features` (no identity) advertises them (§5.1). */
export function capsFor(features: readonly string[]): { hash: string; node: string; ver: string } {
  const s = [...features]
    .sort()
    .map((f) => `${f}<`)
    .join('');
  return { hash: 'sha-1', node: 'https://jitsi.org/jitsi-meet', ver: createHash('sha1').update(s).digest('base64') };
}

export class JitsiParticipant {
  readonly peer: XmppPeer;
  readonly nick: string;
  readonly #prosody: XmppServer;
  readonly jingles: Array<{ from: string; jingle: Jingle }> = [];
  room = '';
  /** Called for every Jingle IQ the focus sends, after it is recorded. */
  onJingle: ((jingle: Jingle) => void) | undefined;
  /** While set, Jingle IQs are acknowledged only once it resolves (a slow or frozen client). */
  holdJingleAcks: Promise<void> | undefined;

  private constructor(peer: XmppPeer, nick: string, prosody: XmppServer, features: readonly string[]) {
    this.peer = peer;
    this.nick = nick;
    this.#prosody = prosody;
    peer.entity.iqCallee.set(NS_JINGLE, 'jingle', async ({ stanza, element }) => {
      const jingle = parseJingle(element);
      this.jingles.push({ from: String(stanza.attrs.from), jingle });
      this.onJingle?.(jingle);
      await this.holdJingleAcks;
      return true;
    });
    peer.entity.iqCallee.get(NS_DISCO_INFO, 'query', () =>
      xml('query', { xmlns: NS_DISCO_INFO }, ...features.map((v) => xml('feature', { var: v }))),
    );
  }

  /** `login`: another domain (a guest domain) and/or a password account; default anonymous on the client domain. */
  static async connect(
    prosody: XmppServer,
    nick: string,
    features: readonly string[] = JITSI_FEATURES,
    login: { domain?: string; username?: string; password?: string } = {},
  ): Promise<JitsiParticipant> {
    const peer = await connectClient({ service: prosody.websocketUrl, domain: prosody.layout.domain, ...login });
    return new JitsiParticipant(peer, nick, prosody, features);
  }

  /** Where conference requests go: `focus.<domain>` unless told otherwise (a focus in client mode). */
  focusAddress: string | undefined;

  /** The conference request IQ to `focus.<domain>` (or `focusAddress`). */
  async requestConference(
    room: string,
    auth: { machineUid?: string; sessionId?: string } = { machineUid: 'test' },
    properties: Record<string, string> = {},
  ): Promise<ConferenceReply> {
    const res = await this.peer.request(
      toXmpp(
        xml(
          'iq',
          { type: 'set', to: this.focusAddress ?? this.#prosody.layout.focusDomain },
          toXmpp(buildConferenceRequest({ room, ...auth, properties })),
        ),
      ),
      15_000,
    );
    return parseConferenceReply(res.getChild('conference', NS_FOCUS) as Element);
  }

  /** Joins the room; with `caps`, the presence carries them as lib-jitsi-meet's does. */
  async join(room: string, caps?: { hash: string; node: string; ver: string }): Promise<void> {
    this.room = room;
    await this.peer.send(
      xml(
        'presence',
        { to: `${room}/${this.nick}` },
        xml('x', { xmlns: NS_MUC }),
        xml('stats-id', {}, `stats-${this.nick}`),
        ...(caps === undefined ? [] : [xml('c', { xmlns: NS_CAPS, ...caps })]),
      ),
    );
    await this.peer.waitFor('own presence', (s) => s.is('presence') && s.attrs.from === `${room}/${this.nick}`);
  }

  async leave(): Promise<void> {
    await this.peer.send(xml('presence', { to: `${this.room}/${this.nick}`, type: 'unavailable' }));
  }

  /** The next Jingle of this action from the focus (already received ones count, oldest first). */
  async nextJingle(
    action: string,
    after = 0,
    timeoutMs = 10_000,
  ): Promise<{ from: string; jingle: Jingle; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.jingles.findIndex((j, i) => i >= after && j.jingle.action === action);
      if (index !== -1) return { ...(this.jingles[index] as { from: string; jingle: Jingle }), index };
      if (Date.now() > deadline) throw new Error(`${this.nick}: no ${action} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends a Jingle IQ to the focus occupant; resolves with the reply (result or error). */
  async send(jingle: Jingle): Promise<Element> {
    const iq = toXmpp(
      buildJingleIq({
        iq: { type: 'set', id: `j${Math.random().toString(36).slice(2)}`, to: `${this.room}/focus` },
        jingle,
      }),
    );
    try {
      return await this.peer.request(iq, 10_000);
    } catch (err) {
      const e = err as { element?: Element; condition?: string };
      if (e.condition !== undefined) return xml('iq', { type: 'error' }, xml('error', {}, xml(e.condition, {})));
      throw err;
    }
  }

  /** Answers a session-initiate with a transport and one audio + one video source (SSRCs from `base`). */
  accept(initiate: Jingle, base: number): Promise<Element> {
    const contents: JingleContent[] = initiate.contents.map((c) => {
      const media = c.description?.media;
      const content: JingleContent = {
        creator: 'responder',
        name: c.name,
        senders: 'both',
        transport: {
          ufrag: `u${this.nick}`,
          pwd: 'x'.repeat(24),
          rtcpMux: true,
          fingerprints: [{ hash: 'sha-256', setup: 'active', value: 'CD:'.repeat(31) + 'CD' }],
          candidates: [],
          webSockets: [],
        },
      };
      if (media === 'audio' || media === 'video') {
        const ssrc = toSsrc(base + (media === 'audio' ? 1 : 2));
        const name = toSourceName(`${this.nick}-${media === 'audio' ? 'a' : 'v'}0`);
        content.description = {
          media,
          payloadTypes: c.description?.payloadTypes ?? [],
          headerExtensions: [],
          rtcpFbs: [],
          extmapAllowMixed: false,
          rtcpMux: true,
          sources: [{ ssrc, name, msid: `${this.nick}-${media}-0 track`, parameters: [] }],
          ssrcGroups: [],
        };
      }
      return content;
    });
    return this.send({ action: 'session-accept', sid: initiate.sid, contents, groups: initiate.groups });
  }

  async close(): Promise<void> {
    await this.peer.close();
  }
}

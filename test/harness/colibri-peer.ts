// A scripted bridge for focus tests: a real XMPP client in the real brewery that answers Colibri2 the way
// PROTOCOL.md §5 shows, and records every request. The real bridge is tested against the focus in test/e2e.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import {
  buildConferenceModified,
  parseConferenceModify,
  type Colibri2Endpoint,
  type ConferenceModify,
} from '@convene/protocol/colibri2';
import { buildBridgeStats } from '@convene/protocol/jitsi';
import { toSourceName, toSsrc } from '@convene/protocol/lib';
import { NS_COLIBRI2, NS_HEALTHCHECK } from '@convene/protocol/xml';
import type { XmppServer } from '@convene/xmpp-server';
import { connectClient, toXmpp, type XmppPeer } from './xmpp-peer.js';

const NS_MUC = 'http://jabber.org/protocol/muc';

export class ColibriPeer {
  readonly nick: string;
  readonly peer: XmppPeer;
  readonly requests: ConferenceModify[] = [];
  readonly #brewery: string;
  #stats: Record<string, string>;
  /** When set, the next conference-modify is answered with this error condition. */
  failNext: string | undefined;
  /** When set, the request creating this room's conference gets a result whose conference-modified cannot be parsed. */
  garbageForRoom: string | undefined;
  /** When set, health checks are answered with this error condition. */
  healthError: string | undefined;
  healthChecks = 0;

  private constructor(peer: XmppPeer, nick: string, brewery: string, stats: Record<string, string>) {
    this.peer = peer;
    this.nick = nick;
    this.#brewery = brewery;
    this.#stats = stats;
  }

  static async start(
    prosody: XmppServer,
    password: string,
    nick: string,
    stats: Record<string, string> = {},
    /** The account on the auth host it logs in with. */
    username = 'jvb',
  ): Promise<ColibriPeer> {
    const peer = await connectClient({
      service: `xmpp://127.0.0.1:${prosody.ports.c2s}`,
      domain: prosody.layout.authDomain,
      username,
      password,
      resource: nick,
    });
    const bridge = new ColibriPeer(peer, nick, prosody.layout.breweryRoom, {
      stress_level: '0.1',
      drain: 'false',
      graceful_shutdown: 'false',
      shutting_down: 'false',
      version: 'test',
      ...stats,
    });
    peer.entity.iqCallee.set(NS_COLIBRI2, 'conference-modify', ({ element }) => bridge.#answer(element));
    peer.entity.iqCallee.get(NS_HEALTHCHECK, 'healthcheck', () => {
      bridge.healthChecks++;
      if (bridge.healthError === undefined) return true;
      return xml(
        'error',
        { type: 'cancel' },
        xml(bridge.healthError, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
      );
    });
    await peer.send(
      xml(
        'presence',
        { to: `${bridge.#brewery}/${nick}` },
        xml('x', { xmlns: NS_MUC }),
        toXmpp(buildBridgeStats(bridge.#stats)),
      ),
    );
    return bridge;
  }

  /** The ICE ufrag this bridge gives an endpoint: tells tests which bridge an offer came from. */
  ufragFor(endpointId: string): string {
    return `${this.nick}-${endpointId}`;
  }

  endpointRequests(id: string): Colibri2Endpoint[] {
    return this.requests.flatMap((r) => r.endpoints.filter((e) => e.id === id));
  }

  async setStats(stats: Record<string, string>): Promise<void> {
    this.#stats = { ...this.#stats, ...stats };
    await this.peer.send(
      xml('presence', { to: `${this.#brewery}/${this.nick}` }, toXmpp(buildBridgeStats(this.#stats))),
    );
  }

  async close(): Promise<void> {
    await this.peer.close();
  }

  #answer(element: Element): Element {
    const req = parseConferenceModify(element);
    this.requests.push(req);
    if (this.failNext !== undefined) {
      const condition = this.failNext;
      this.failNext = undefined;
      return xml('error', { type: 'cancel' }, xml(condition, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }));
    }
    if (this.garbageForRoom !== undefined && req.create === true && req.name === this.garbageForRoom) {
      this.garbageForRoom = undefined;
      return xml('conference-modified', { xmlns: NS_COLIBRI2 }, xml('endpoint', { create: 'maybe' }));
    }
    const created = req.endpoints.filter((e) => e.create === true);
    const modified = {
      endpoints: req.endpoints.map((e): Colibri2Endpoint => {
        if (e.expire === true) return { id: e.id, expire: true, media: [], capabilities: [] };
        if (e.create !== true) return { id: e.id, media: [], capabilities: [] };
        return {
          id: e.id,
          media: [],
          capabilities: [],
          transport: {
            ice: {
              ufrag: this.ufragFor(e.id),
              pwd: 'p'.repeat(24),
              rtcpMux: true,
              fingerprints: [{ hash: 'sha-256', setup: 'actpass', value: 'AB:'.repeat(31) + 'AB' }],
              candidates: [
                {
                  component: 1,
                  foundation: '1',
                  generation: 0,
                  id: 'c1',
                  ip: '127.0.0.1',
                  network: 0,
                  port: 10000,
                  priority: 2130706431,
                  protocol: 'udp',
                  type: 'host',
                },
              ],
              webSockets: [`ws://127.0.0.1:8080/colibri-ws/default-id/c1/${e.id}?pwd=x`],
            },
            ...(e.transport?.sctp !== undefined ? { sctp: { port: 5000, role: 'server' as const } } : {}),
          },
        };
      }),
      relays: [],
      ...(created.length > 0
        ? {
            sources: [
              {
                type: 'audio' as const,
                id: toSourceName('jvb-a0'),
                sources: [{ ssrc: toSsrc(1002), name: toSourceName('jvb-a0'), parameters: [] }],
                groups: [],
              },
              {
                type: 'video' as const,
                id: toSourceName('jvb-v0'),
                sources: [{ ssrc: toSsrc(1001), name: toSourceName('jvb-v0'), parameters: [] }],
                groups: [],
              },
            ],
          }
        : {}),
    };
    return toXmpp(buildConferenceModified(modified));
  }
}

/**
 * The bridge's own reconnect after Prosody restarted (the real bridge does this by itself): a fresh login with the
 * same resource and nick, back in the brewery. The old peer is closed; requests are recorded afresh.
 */
export async function reconnectColibriPeer(
  old: ColibriPeer,
  prosody: XmppServer,
  password: string,
  stats: Record<string, string> = {},
): Promise<ColibriPeer> {
  await old.close().catch(() => undefined);
  return ColibriPeer.start(prosody, password, old.nick, stats);
}

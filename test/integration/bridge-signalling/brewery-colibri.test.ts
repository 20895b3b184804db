// The bridge process against a real Prosody: brewery presence with stats, health IQs, Colibri2 from the focus
// only, PROTOCOL.md-shaped answers and errors.
import type { Element } from 'ltx';
import type { Prosody } from '@convene/xmpp-server';
import { colibri2ErrorOf, parseConferenceModified } from '@convene/protocol/colibri2';
import { parseBridgeStats, readBridgeLoad } from '@convene/protocol/jitsi';
import { startTestProsody } from '../../harness/prosody.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import {
  NS_COLIBRI,
  joinBreweryAsAccount,
  joinBreweryAsFocus,
  stanzaErrorOf,
  type BreweryPeer,
} from '../../harness/bridge-focus.js';

const PASSWORD = 'bridge-pass-6';
const C2 = 'xmlns="jitsi:colibri2"';
const FP = '0B:77:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:C4';

const createXml = (meetingId: string, ep: string, create = true) =>
  `<conference-modify ${C2} meeting-id="${meetingId}" name="demo@conference.meet.localhost"${create ? ' create="true"' : ''}>
    <endpoint id="${ep}" create="true" stats-id="Lyla-Q2w">
      <media type="audio"><payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id="111" name="opus" clockrate="48000" channels="2"/>
        <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="1" uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"/></media>
      <media type="video"><payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id="100" name="VP8" clockrate="90000"/></media>
      <transport ice-controlling="true"><sctp/></transport>
      <sources/>
      <force-mute audio="true"/>
      <capability name="source-names"/>
    </endpoint>
  </conference-modify>`;
const updateXml = (meetingId: string, ep: string) =>
  `<conference-modify ${C2} meeting-id="${meetingId}"><endpoint id="${ep}" stats-id="Lyla-Q2w">
    <transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="Hq3e" pwd="w9ZtL2cV8nRkP0sYbQ4mXa1f"><rtcp-mux/>
      <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="active">${FP}</fingerprint></transport></transport>
    <sources><media-source type="audio" id="${ep}-a0"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="3101" name="${ep}-a0"/></media-source></sources>
  </endpoint></conference-modify>`;
const expireXml = (meetingId: string, ep: string) =>
  `<conference-modify ${C2} meeting-id="${meetingId}"><endpoint id="${ep}" expire="true"/></conference-modify>`;

let prosody: Prosody;
let focus: BreweryPeer;
let bridge: BridgeProcess;
let occupant: string;

/** The bridge's latest stats presence as the focus saw it, once `check` holds for it. */
async function statsWhen(check: (s: Record<string, string>) => boolean, what: string): Promise<Record<string, string>> {
  const match = (p: Element) => {
    if (!p.is('presence') || p.attrs.from !== occupant) return false;
    const el = p.getChild('stats', NS_COLIBRI);
    return el !== undefined && check(parseBridgeStats(el));
  };
  const p = await focus.peer.waitFor(what, match, 10_000);
  return parseBridgeStats(p.getChild('stats', NS_COLIBRI)!);
}

async function restStats(): Promise<Record<string, unknown>> {
  return (await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as Record<string, unknown>;
}

beforeAll(async () => {
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }],
    // mallory gets into the brewery (as any auth account does on Jitsi's Prosody): the bridge must refuse her itself.
    bridgeJids: ['jvb@auth.meet.localhost', 'mallory@auth.meet.localhost'],
  });
  focus = await joinBreweryAsFocus(prosody);
  bridge = await BridgeProcess.start({ prosody, password: PASSWORD, args: ['--region', 'eu-west'] });
  occupant = `${prosody.layout.breweryRoom}/jvb1`;
});
afterAll(async () => {
  await bridge?.close();
  await focus?.peer.close();
  await prosody?.close();
});

describe('bridge in the brewery (real Prosody, real bridge process)', () => {
  it('joins the brewery with its id as nick and publishes the stats the focus reads', async () => {
    const stats = await statsWhen(() => true, 'first stats presence');
    expect(stats).toMatchObject({
      drain: 'false',
      graceful_shutdown: 'false',
      shutting_down: 'false',
      healthy: 'true',
      region: 'eu-west',
      conferences: '0',
      participants: '0',
    });
    expect(stats.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Number(stats.stress_level)).toBeGreaterThanOrEqual(0);
    expect(readBridgeLoad(stats)).toMatchObject({ drain: false, gracefulShutdown: false, shuttingDown: false });
    const seen = focus.peer.received.find((s) => s.is('presence') && s.attrs.from === occupant)!;
    const item = seen.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item');
    expect(item?.attrs.jid).toBe('jvb@auth.meet.localhost/jvb1');
  });

  it('answers healthcheck and version from the focus, and service-unavailable to unknown IQs', async () => {
    const res = await focus.iq('jvb1', '<healthcheck xmlns="http://jitsi.org/protocol/healthcheck"/>', 'get');
    expect(res.attrs.type).toBe('result');
    const v = await focus.iq('jvb1', '<query xmlns="jabber:iq:version"/>', 'get');
    expect(v.getChild('query')?.getChildText('name')).toBe('convene-bridge');
    const err = await focus.iq('jvb1', '<nonsense xmlns="urn:example:nope"/>', 'get').catch((e: unknown) => e);
    expect(stanzaErrorOf(err).condition).toBe('service-unavailable');
  });

  it('allocates, updates and expires over Colibri2 with PROTOCOL.md-shaped answers; stats follow', async () => {
    const created = parseConferenceModified(
      (await focus.iq('jvb1', createXml('meet-1', 'a1b2c3d4'))).getChild('conference-modified')!,
    );
    const ep = created.endpoints[0]!;
    expect(ep.id).toBe('a1b2c3d4');
    const ice = ep.transport!.ice!;
    expect(ice.ufrag).toMatch(/^\S{4,}$/);
    expect(ice.pwd!.length).toBeGreaterThanOrEqual(22);
    expect(ice.rtcpMux).toBe(true);
    expect(ice.fingerprints).toEqual([
      { hash: 'sha-256', value: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown, setup: 'actpass' },
    ]);
    expect(ice.candidates[0]).toMatchObject({ ip: '127.0.0.1', port: bridge.mediaPort, protocol: 'udp', type: 'host' });
    const ws = new URL(ice.webSockets[0]!);
    // The public server's: the private one (REST, shutdown) is never handed to a client.
    expect(`${ws.protocol}//${ws.host}`).toBe(bridge.publicHttpUrl.replace('http:', 'ws:'));
    expect(ws.pathname).toMatch(/^\/colibri-ws\/default-id\/[0-9a-f]{16}\/a1b2c3d4$/);
    expect(ws.searchParams.get('pwd')).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(ep.transport!.sctp).toEqual({ port: 5000, role: 'server' });
    expect(created.sources?.map((s) => [s.type, s.id])).toEqual([
      ['audio', 'jvb-a0'],
      ['video', 'jvb-v0'],
    ]);
    await statsWhen((s) => s.conferences === '1' && s.participants === '1', 'stats with one conference');

    const updated = parseConferenceModified(
      (await focus.iq('jvb1', updateXml('meet-1', 'a1b2c3d4'))).getChild('conference-modified')!,
    );
    expect(updated).toEqual({ endpoints: [{ id: 'a1b2c3d4', media: [], capabilities: [] }], relays: [] });

    const second = parseConferenceModified(
      (await focus.iq('jvb1', createXml('meet-1', 'b2c3d4e5', false))).getChild('conference-modified')!,
    );
    expect(second.endpoints[0]!.transport?.ice?.ufrag).not.toBe(ice.ufrag);
    expect(await restStats()).toMatchObject({ conferences: 1, participants: 2, largest_conference: 2 });

    const expired = parseConferenceModified(
      (await focus.iq('jvb1', expireXml('meet-1', 'a1b2c3d4'))).getChild('conference-modified')!,
    );
    expect(expired.endpoints).toEqual([{ id: 'a1b2c3d4', expire: true, media: [], capabilities: [] }]);
    await focus.iq('jvb1', expireXml('meet-1', 'b2c3d4e5'));
    await statsWhen((s) => s.conferences === '0' && s.total_conferences_completed === '1', 'stats after expire');
    const err = await focus.iq('jvb1', updateXml('meet-1', 'a1b2c3d4')).catch((e: unknown) => e);
    const se = stanzaErrorOf(err);
    expect(se.condition).toBe('item-not-found');
    expect(se.text).toBe('Conference not found for ID: meet-1');
    expect(colibri2ErrorOf(se)?.reason).toBe('conference_not_found');
  });

  it('refuses Colibri2 from an occupant that is not the focus, and changes nothing', async () => {
    prosody.register({ user: 'mallory', host: prosody.layout.authDomain, password: 'mallory-pass' });
    const mallory = await joinBreweryAsAccount(prosody, { user: 'mallory', password: 'mallory-pass' }, 'mallory');
    try {
      const before = await restStats();
      const err = await mallory.iq('jvb1', createXml('evil', 'e1')).catch((e: unknown) => e);
      expect(stanzaErrorOf(err)).toMatchObject({ condition: 'not-authorized', type: 'auth' });
      const hc = await mallory
        .iq('jvb1', '<healthcheck xmlns="http://jitsi.org/protocol/healthcheck"/>', 'get')
        .catch((e: unknown) => e);
      expect(stanzaErrorOf(hc).condition).toBe('not-authorized');
      const after = await restStats();
      expect(after.total_conferences_created).toBe(before.total_conferences_created);
      expect(after.conferences).toBe(0);
    } finally {
      await mallory.peer.close();
    }
  });

  it('answers malformed Colibri2 with bad-request and keeps serving', async () => {
    const bad: Array<[string, string]> = [
      ['no meeting id', `<conference-modify ${C2}><endpoint id="x"/></conference-modify>`],
      ['unknown media type', createXml('bad-1', 'x').replace('type="audio"', 'type="text"')],
      [
        'no endpoint id',
        `<conference-modify ${C2} meeting-id="bad-2" create="true" name="a@b.c"><endpoint create="true"/></conference-modify>`,
      ],
      [
        'bad fingerprint',
        createXml('bad-3', 'x').replace(
          '<transport ice-controlling="true"><sctp/></transport>',
          `<transport><transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="u" pwd="p"><fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256">nothex</fingerprint></transport></transport>`,
        ),
      ],
      ['no source-names', createXml('bad-4', 'x').replace('<capability name="source-names"/>', '')],
      ['not xml of ours', '<conference-modify xmlns="jitsi:colibri2" meeting-id="bad-5" create="yes-please"/>'],
    ];
    for (const [what, xml] of bad) {
      const err = await focus.iq('jvb1', xml).catch((e: unknown) => e);
      expect([what, stanzaErrorOf(err).condition]).toEqual([what, 'bad-request']);
    }
    expect((await restStats()).conferences).toBe(0);
    const ok = await focus.iq('jvb1', createXml('after-bad', 'a'));
    expect(ok.attrs.type).toBe('result');
    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="after-bad" expire="true"/>`);
    expect(bridge.child.exitCode).toBeNull();
  });
});

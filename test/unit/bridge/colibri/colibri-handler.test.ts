import { jest } from '@jest/globals';
import { parseConferenceModified, colibri2ErrorOf } from '@convene/protocol/colibri2';
import { StanzaFailure, parseXml, stanzaErrorFor, type StanzaError } from '@convene/protocol/xml';
import { toSourceName, type Ssrc } from '@convene/protocol/lib';
import { toSourceParams } from '@convene/bridge/colibri';
import { toRouteSources } from '@convene/bridge/conference';
import { ForwardingTable, type MediaSink } from '@convene/bridge/forward';
import { ADVERTISED, colibriSetup, ROOM } from './setup.js';

const C2 = 'xmlns="jitsi:colibri2"';
const ICE = 'xmlns="urn:xmpp:jingle:transports:ice-udp:1"';
const DTLS = 'xmlns="urn:xmpp:jingle:apps:dtls:0"';
const SSMA = 'xmlns="urn:xmpp:jingle:apps:rtp:ssma:0"';
const FP = '0B:77:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:09:1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:C4';

const create = (meetingId: string, ep = 'a1b2c3d4', extra = '') =>
  `<conference-modify ${C2} meeting-id="${meetingId}" name="demo@conference.meet.localhost" create="true">
    <endpoint id="${ep}" create="true" stats-id="Lyla">
      <media type="audio"><payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id="111" name="opus" clockrate="48000" channels="2"/></media>
      <transport ice-controlling="true"><sctp/></transport>
      <sources/>
      <capability name="source-names"/><initial-last-n value="5"/>${extra}
    </endpoint>
  </conference-modify>`;
const addEndpoint = (meetingId: string, ep: string, capability = '<capability name="source-names"/>') =>
  `<conference-modify ${C2} meeting-id="${meetingId}"><endpoint id="${ep}" create="true"><transport ice-controlling="true"/>${capability}</endpoint></conference-modify>`;
const update = (meetingId: string, ep: string, ssrc = 3101) =>
  `<conference-modify ${C2} meeting-id="${meetingId}"><endpoint id="${ep}">
    <transport><transport ${ICE} ufrag="Hq3e" pwd="w9ZtL2cV8nRkP0sYbQ4mXa1f"><rtcp-mux/><fingerprint ${DTLS} hash="sha-256" setup="active">${FP}</fingerprint>
      <candidate component="1" foundation="1" generation="0" id="x" ip="198.51.100.7" network="0" port="50000" priority="100" protocol="udp" type="host"/>
      <candidate component="1" foundation="2" generation="0" id="y" ip="abc.local" network="0" port="50001" priority="100" protocol="udp" type="host"/>
    </transport></transport>
    <sources><media-source type="audio" id="${ep}-a0"><source ${SSMA} ssrc="${ssrc}" name="${ep}-a0"/></media-source></sources>
    <force-mute audio="true"/>
  </endpoint></conference-modify>`;

const setup = () =>
  colibriSetup({ webSocketUrl: (c, e, p) => `wss://meet.localhost/colibri-ws/default-id/${c}/${e}?pwd=${p}` });

async function errorOf(p: Promise<unknown>): Promise<StanzaError> {
  try {
    await p;
  } catch (err) {
    return stanzaErrorFor(err);
  }
  throw new Error('expected the request to fail');
}

afterEach(() => jest.useRealTimers());

describe('ColibriHandler', () => {
  it('creates a conference and endpoint and answers with the bridge transport, ws url, sctp and feedback sources', async () => {
    const { send, media } = await setup();
    const res = parseConferenceModified(await send(create('m1')));
    const conf = media.byMeetingId('m1')!;
    expect(conf.name).toBe('demo@conference.meet.localhost');
    expect(res.endpoints).toHaveLength(1);
    const ep = res.endpoints[0]!;
    expect(ep.id).toBe('a1b2c3d4');
    const ice = ep.transport?.ice;
    const local = conf.getEndpoint('a1b2c3d4')!.localTransport();
    expect(ice).toMatchObject({ ufrag: local.ufrag, pwd: local.pwd, rtcpMux: true });
    expect(ice?.fingerprints).toEqual([{ hash: 'sha-256', value: media.identity.fingerprint, setup: 'actpass' }]);
    expect(ice?.candidates[0]).toMatchObject({
      ip: ADVERTISED,
      port: media.port,
      protocol: 'udp',
      type: 'host',
      component: 1,
    });
    const record = conf.getEndpoint('a1b2c3d4')!;
    expect(ice?.webSockets).toEqual([
      `wss://meet.localhost/colibri-ws/default-id/${conf.id}/a1b2c3d4?pwd=${record.password}`,
    ]);
    expect(record.password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(ep.transport?.sctp).toEqual({ port: 5000, role: 'server' });
    expect(res.sources?.map((s) => s.id)).toEqual(['jvb-a0', 'jvb-v0']);
    expect(record.statsId).toBe('Lyla');
    expect(record.receiver.lastN).toBe(5);
  });

  it('applies an update: remote transport (no mDNS), sources, force-mute; answers <endpoint id/>', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    const res = parseConferenceModified(await send(update('m1', 'a1b2c3d4')));
    expect(res.endpoints).toEqual([{ id: 'a1b2c3d4', media: [], capabilities: [] }]);
    expect(res.sources).toBeUndefined();
    const ep = media.byMeetingId('m1')!.getEndpoint('a1b2c3d4')!;
    expect(ep.remoteTransport).toMatchObject({
      ufrag: 'Hq3e',
      fingerprints: [{ hash: 'sha-256', value: FP, setup: 'active' }],
    });
    expect(ep.remoteTransport?.candidates).toEqual([
      { address: '198.51.100.7', port: 50000, priority: 100, type: 'host' },
    ]);
    expect(ep.sources).toEqual([{ ssrc: 3101, kind: 'audio', name: 'a1b2c3d4-a0' }]);
    expect([ep.isForceMuted('audio'), ep.isForceMuted('video')]).toEqual([true, false]);
  });

  it('takes a trickled transport-info (no fingerprint) as more candidates for the same session', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    await send(update('m1', 'a1b2c3d4'));
    await send(
      `<conference-modify ${C2} meeting-id="m1"><endpoint id="a1b2c3d4"><transport><transport ${ICE} ufrag="Hq3e" pwd="w9ZtL2cV8nRkP0sYbQ4mXa1f">
        <candidate component="1" foundation="3" generation="0" id="z" ip="203.0.113.5" network="0" port="40000" priority="50" protocol="udp" type="srflx"/>
      </transport></transport></endpoint></conference-modify>`,
    );
    const ep = media.byMeetingId('m1')!.getEndpoint('a1b2c3d4')!;
    expect(ep.remoteTransport?.fingerprints).toEqual([{ hash: 'sha-256', value: FP, setup: 'active' }]);
    expect(ep.remoteTransport?.candidates).toEqual([
      { address: '203.0.113.5', port: 40000, priority: 50, type: 'srflx' },
    ]);
  });

  it('expires endpoints, and the conference with its last one', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    await send(addEndpoint('m1', 'b2c3d4e5'));
    const res = parseConferenceModified(
      await send(
        `<conference-modify ${C2} meeting-id="m1"><endpoint id="a1b2c3d4" expire="true"/></conference-modify>`,
      ),
    );
    expect(res.endpoints).toEqual([{ id: 'a1b2c3d4', expire: true, media: [], capabilities: [] }]);
    expect(media.byMeetingId('m1')!.endpoints.size).toBe(1);
    await send(`<conference-modify ${C2} meeting-id="m1"><endpoint id="b2c3d4e5" expire="true"/></conference-modify>`);
    expect(media.byMeetingId('m1')).toBeUndefined();
    expect(media.totals).toMatchObject({ conferencesCreated: 1, conferencesCompleted: 1, endpointsCreated: 2 });
  });

  it('expires a whole conference on conference-modify expire', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    const conf = media.byMeetingId('m1')!;
    await send(`<conference-modify ${C2} meeting-id="m1" expire="true"/>`);
    expect(media.byMeetingId('m1')).toBeUndefined();
    expect(media.getConference(conf.id)).toBeUndefined();
    expect(conf.closed).toBe(true);
  });

  it('refuses a sender whose real JID is not the focus with not-authorized, whatever its nick', async () => {
    const { send, media, handler } = await setup();
    const err = await errorOf(send(create('m1'), 'mallory@auth.meet.localhost/focus'));
    expect(err).toMatchObject({ condition: 'not-authorized', type: 'auth' });
    // An occupant whose presence showed no real JID (an anonymous room).
    const hidden = handler.handle({
      from: `${ROOM}/focus`,
      sender: undefined,
      to: '',
      id: '2',
      payload: parseXml(create('m1')),
    });
    expect((await errorOf(hidden)).condition).toBe('not-authorized');
    expect((await errorOf(send(create('m1'), 'jvb@auth.meet.localhost/jvb2', `${ROOM}/jvb2`))).condition).toBe(
      'not-authorized',
    );
    expect(media.conferences.size).toBe(0);
  });

  it('takes Colibri2 from the focus whether it comes through the brewery or straight from its JID', async () => {
    const { send, media } = await setup();
    await send(create('m1'), 'focus@auth.meet.localhost/focus', `${ROOM}/focus`);
    await send(create('m2'), 'focus@focus.meet.localhost/focus', 'focus@focus.meet.localhost/focus');
    expect(media.conferences.size).toBe(2);
  });

  it.each([
    ['conference not found', `<conference-modify ${C2} meeting-id="nope"/>`, 'item-not-found', 'conference_not_found'],
    ['missing meeting id', `<conference-modify ${C2}/>`, 'bad-request', undefined],
    ['unknown media type', create('m9').replace('type="audio"', 'type="text"'), 'bad-request', undefined],
    ['no source-names', create('m9').replace('<capability name="source-names"/>', ''), 'bad-request', undefined],
    ['bad fingerprint', update('m0', 'a').replace(FP, 'zz'), 'bad-request', undefined],
    [
      'no transport on create',
      create('m9').replace(/<transport[^>]*><sctp\/><\/transport>/, ''),
      'bad-request',
      undefined,
    ],
    [
      'relays',
      `<conference-modify ${C2} meeting-id="m0"><relay id="r1" create="true"/></conference-modify>`,
      'feature-not-implemented',
      'feature_not_implemented',
    ],
    ['not a JID', create('m9').replace('demo@conference.meet.localhost', 'demo'), 'bad-request', undefined],
  ])('answers %s with its condition and reason', async (_name, xml, condition, reason) => {
    const { send, media } = await setup();
    await send(create('m0', 'a'));
    const err = await errorOf(send(xml));
    expect(err.condition).toBe(condition);
    expect(colibri2ErrorOf(err)?.reason).toBe(reason);
    expect([...media.conferences.values()].map((c) => c.meetingId)).toEqual(['m0']);
  });

  it('answers conflicts: conference and endpoint already exist', async () => {
    const { send } = await setup();
    await send(create('m1'));
    const err = await errorOf(send(create('m1')));
    expect(err.condition).toBe('conflict');
    expect(colibri2ErrorOf(err)?.reason).toBe('conference_already_exists');
    expect((await errorOf(send(addEndpoint('m1', 'a1b2c3d4')))).condition).toBe('conflict');
  });

  it('answers unknown_endpoint with the endpoint id, but ignores unknown ones in force-mute or expire', async () => {
    const { send } = await setup();
    await send(create('m1'));
    const err = await errorOf(send(update('m1', 'ghost')));
    expect(err.condition).toBe('item-not-found');
    expect(colibri2ErrorOf(err)).toEqual({ reason: 'unknown_endpoint', endpointId: 'ghost' });
    const res = parseConferenceModified(
      await send(
        `<conference-modify ${C2} meeting-id="m1"><endpoint id="ghost"><force-mute audio="true"/></endpoint><endpoint id="ghost2" expire="true"/></conference-modify>`,
      ),
    );
    expect(res.endpoints).toEqual([{ id: 'ghost2', expire: true, media: [], capabilities: [] }]);
  });

  it('refuses two heavy endpoints in one request (JVB batching rule)', async () => {
    const { send } = await setup();
    await send(create('m1'));
    const two = `<conference-modify ${C2} meeting-id="m1"><endpoint id="x" create="true"><transport/><capability name="source-names"/></endpoint><endpoint id="y" create="true"><transport/><capability name="source-names"/></endpoint></conference-modify>`;
    expect((await errorOf(send(two))).condition).toBe('feature-not-implemented');
  });

  it('rolls back a created endpoint whose sources conflict, leaving the other endpoint alone', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    await send(update('m1', 'a1b2c3d4', 5000));
    const bad = addEndpoint('m1', 'b').replace(
      '</endpoint>',
      `<sources><media-source type="audio" id="b-a0"><source ${SSMA} ssrc="5000"/></media-source></sources></endpoint>`,
    );
    expect((await errorOf(send(bad))).condition).toBe('bad-request');
    expect([...media.byMeetingId('m1')!.endpoints.keys()]).toEqual(['a1b2c3d4']);
  });

  it('refuses a flood of conference creates with resource-constraint, and nothing else changes', async () => {
    const { send, media } = await setup();
    for (const m of ['m1', 'm2', 'm3']) await send(create(m));
    const err = await errorOf(send(create('m4')));
    expect(err).toMatchObject({ condition: 'resource-constraint', text: 'Too many conferences on this bridge' });
    expect(media.conferences.size).toBe(3);
    expect(media.totals.conferencesCreated).toBe(3);
  });

  it('applies nothing of a request whose endpoint create fails, not even its expires', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    await send(update('m1', 'a1b2c3d4', 5000));
    await send(addEndpoint('m1', 'b'));
    const bad = `<conference-modify ${C2} meeting-id="m1"><endpoint id="b" expire="true"/><endpoint id="c" create="true"><transport/><capability name="source-names"/><sources><media-source type="audio" id="c-a0"><source ${SSMA} ssrc="5000"/></media-source></sources></endpoint></conference-modify>`;
    expect((await errorOf(send(bad))).condition).toBe('bad-request');
    expect([...media.byMeetingId('m1')!.endpoints.keys()]).toEqual(['a1b2c3d4', 'b']);
  });

  it('refuses new conferences in graceful shutdown with graceful_shutdown', async () => {
    const { send, media } = await setup();
    media.startGracefulShutdown();
    const err = await errorOf(send(create('m1')));
    expect(err.condition).toBe('service-unavailable');
    expect(colibri2ErrorOf(err)?.reason).toBe('graceful_shutdown');
  });

  it('expires an endpoint whose ICE never connects, and an empty conference after the idle timeout', async () => {
    const { media, send } = await colibriSetup({ endpointConnectTimeoutMs: 1_000, conferenceIdleTimeoutMs: 2_000 });
    // After the socket is bound: the conferences' and endpoints' timers are armed by the requests.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await send(create('m1'));
    await send(`<conference-modify ${C2} meeting-id="m2" name="b@c.d" create="true"/>`);
    jest.advanceTimersByTime(1_001);
    expect(media.byMeetingId('m1')?.endpoints.size).toBe(0);
    expect(media.totals.endpointsIceFailed).toBe(1);
    expect(media.byMeetingId('m2')).toBeDefined();
    jest.advanceTimersByTime(1_000);
    expect(media.byMeetingId('m2')).toBeUndefined();
    // m1 lost its endpoint on its own: it stays for the focus to expire, or goes when idle as long.
    expect(media.byMeetingId('m1')).toBeDefined();
    jest.advanceTimersByTime(1_000);
    expect(media.byMeetingId('m1')).toBeUndefined();
  });

  it('keeps a conference whose endpoints left on their own until a request about it, then answers it', async () => {
    const { media, send } = await setup();
    await send(create('m1'));
    await send(addEndpoint('m1', 'b'));
    for (const ep of [...media.byMeetingId('m1')!.endpoints.values()]) ep.close('hung up');
    // The focus learns of the leaves later: its expires find the conference, which a request leaves as it is.
    await send(`<conference-modify ${C2} meeting-id="m1"><endpoint id="a1b2c3d4" expire="true"/></conference-modify>`);
    await send(`<conference-modify ${C2} meeting-id="m1"><endpoint id="b" expire="true"/></conference-modify>`);
    expect(media.byMeetingId('m1')).toBeDefined();
    await send(`<conference-modify ${C2} meeting-id="m1" expire="true"/>`);
    expect(media.byMeetingId('m1')).toBeUndefined();
  });

  it('runs one request at a time per conference', async () => {
    const { send, media } = await setup();
    await send(create('m1'));
    const results = await Promise.all([
      send(update('m1', 'a1b2c3d4')),
      send(addEndpoint('m1', 'b')),
      send(update('m1', 'b', 9)),
    ]);
    expect(results).toHaveLength(3);
    expect(media.byMeetingId('m1')!.endpoints.size).toBe(2);
  });

  it('throws only StanzaFailure or ProtocolError for garbage', async () => {
    const { send } = await setup();
    for (const xml of [
      '<conference-modify xmlns="urn:x" meeting-id="m"/>',
      `<conference-modify ${C2} meeting-id="m" create="maybe"/>`,
    ]) {
      const err = await send(xml).catch((e: unknown) => e);
      expect(err instanceof StanzaFailure || (err as Error).name === 'ProtocolError').toBe(true);
    }
  });
});

describe('Colibri2 sources to forwarding routes', () => {
  it('numbers SIM encodings lowest first and marks FID partners as their RTX, of the same encoding', () => {
    const name = toSourceName('e1-v0');
    const src = (ssrc: number) => ({ ssrc: ssrc as Ssrc, name, parameters: [] });
    const { sources, groups } = toSourceParams([
      {
        type: 'video',
        id: name,
        sources: [1, 2, 3, 11, 12, 13].map(src),
        groups: [
          { semantics: 'SIM', ssrcs: [1, 2, 3] as Ssrc[] },
          { semantics: 'FID', ssrcs: [1, 11] as Ssrc[] },
          { semantics: 'FID', ssrcs: [2, 12] as Ssrc[] },
          { semantics: 'FID', ssrcs: [3, 13] as Ssrc[] },
        ],
      },
    ]);
    const table = new ForwardingTable();
    const sender = { ready: true } as unknown as MediaSink;
    table.setSources(sender, toRouteSources(sources, groups), 'e1');
    const out = [1, 2, 3, 11, 12, 13].map((s) => {
      const r = table.get(s)!;
      return [s, r.encoding, r.isRtx, r.rtxSsrc];
    });
    expect(out).toEqual([
      [1, 0, false, 11],
      [2, 1, false, 12],
      [3, 2, false, 13],
      [11, 0, true, 0],
      [12, 1, true, 0],
      [13, 2, true, 0],
    ]);
    const [v] = table.videoSources();
    expect([v!.name, v!.receiverSsrc, v!.receiverRtxSsrc, v!.encodings.length]).toEqual(['e1-v0', 1, 11, 3]);
  });
});

import { ColibriPeer } from '../../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, sourceJingle, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

describe.each(['component', 'client'] as const)('focus connected as %s', (mode) => {
  let stack: FocusStack;
  let bridge1: ColibriPeer;

  beforeAll(async () => {
    // The stack offers SCTP and the scripted bridge answers sctp, so the data content path is exercised here.
    stack = await startFocusStack(mode, { CONVENE_FOCUS_SINGLE_PARTICIPANT_TIMEOUT_MS: '1500' });
    bridge1 = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
    await waitForBridges(stack.focusHttp, 1);
  });
  afterEach(async () => {
    await stack.closeParticipants();
  });
  afterAll(async () => {
    await bridge1?.close();
    await stack?.close();
  });

  describe('focus: conferences through a real Prosody', () => {
    it('answers a conference request ready, with its focus JID, once it owns the room', async () => {
      const alice = await stack.participant('a1a1a1a1');
      const reply = await alice.requestConference('ready@conference.meet.localhost');
      expect(reply).toMatchObject({ ready: true, focusJid: stack.focusJid });
      await alice.join('ready@conference.meet.localhost');
      const focusPresence = await alice.peer.waitFor(
        'focus presence',
        (s) => s.is('presence') && s.attrs.from === 'ready@conference.meet.localhost/focus',
      );
      const item = focusPresence.getChild('x', 'http://jabber.org/protocol/muc#user')?.getChild('item');
      expect(item?.attrs).toMatchObject({
        affiliation: 'owner',
        role: 'moderator',
        jid: `${stack.focusJid}/focus`,
      });
      expect(focusPresence.getChild('conference-properties', 'http://jitsi.org/protocol/focus')).toBeDefined();
      // The shared document (Etherpad), named after the room as Jicofo's default.
      expect(focusPresence.getChildText('etherpad', 'http://jitsi.org/jitmeet/etherpad')).toBe('ready');
    });

    it('serves a breakout room (breakout.<domain>, Jitsi’s breakout rooms) as a conference room', async () => {
      const room = 'main-b2@breakout.meet.localhost';
      const [a, b] = [await stack.participant('b2b2b201'), await stack.participant('b2b2b202')];
      expect(await a.requestConference(room)).toMatchObject({ ready: true, focusJid: stack.focusJid });
      await a.join(room);
      await b.join(room);
      const [initA, initB] = [await a.nextJingle('session-initiate'), await b.nextJingle('session-initiate')];
      expect(initA.from).toBe(`${room}/focus`);
      expect(initB.jingle.contents.map((c) => c.name)).toEqual(['audio', 'video', 'data']);
    });

    it('tells joiners beyond startAudioMuted / startVideoMuted to start muted, as the creating request asked', async () => {
      // jitsi-meet's config startAudioMuted: 2 (everyone after the second starts muted); Jicofo counts the joiner.
      const room = 'quiet@conference.meet.localhost';
      const [a, b, c] = [
        await stack.participant('c3c3c301'),
        await stack.participant('c3c3c302'),
        await stack.participant('c3c3c303'),
      ];
      await a.requestConference(room, undefined, { startAudioMuted: '2', startVideoMuted: 'x' });
      await b.requestConference(room, undefined, { startAudioMuted: '0', startVideoMuted: '0' }); // not the creator
      await a.join(room);
      await b.join(room);
      const [initA, initB] = [await a.nextJingle('session-initiate'), await b.nextJingle('session-initiate')];
      expect(initA.jingle.startMuted).toBeUndefined();
      expect(initB.jingle.startMuted).toBeUndefined();
      await c.join(room);
      expect((await c.nextJingle('session-initiate')).jingle.startMuted).toEqual({ audio: true, video: false });
    });

    it('refuses a room on another MUC service with bad-request', async () => {
      const eve = await stack.participant('e5e5e5e5');
      await expect(eve.requestConference('x@elsewhere.example')).rejects.toMatchObject({ condition: 'bad-request' });
    });

    it('invites two participants through the bridge and relays sources on accept', async () => {
      const room = 'call@conference.meet.localhost';
      const a = await stack.participant('aaaa0001');
      const b = await stack.participant('bbbb0002');
      await a.requestConference(room);
      await a.join(room);
      await b.join(room);

      const initA = await a.nextJingle('session-initiate');
      const initB = await b.nextJingle('session-initiate');
      expect(initA.from).toBe(`${room}/focus`);
      const names = initA.jingle.contents.map((c) => c.name);
      expect(names).toEqual(['audio', 'video', 'data']);
      expect(initA.jingle.groups).toEqual([{ semantics: 'BUNDLE', contents: ['audio', 'video', 'data'] }]);
      const t = initA.jingle.contents[0]?.transport;
      expect(t?.ufrag).toBe(bridge1.ufragFor('aaaa0001'));
      expect(t?.fingerprints[0]?.setup).toBe('actpass');
      // Jicofo's default video codecs and order: AV1 first (current lib-jitsi-meet sets AV1 sender parameters).
      const video = initA.jingle.contents.find((c) => c.name === 'video')?.description?.payloadTypes ?? [];
      expect(video.filter((p) => p.name !== 'rtx').map((p) => `${p.id} ${p.name}`)).toEqual([
        '41 AV1',
        '100 VP8',
        '107 H264',
        '101 VP9',
      ]);
      expect(video.find((p) => p.id === 42)?.parameters).toEqual([{ name: 'apt', value: '41' }]);
      expect(initA.jingle.contents[2]?.transport?.sctpMap).toMatchObject({
        number: 5000,
        protocol: 'webrtc-datachannel',
      });
      // JSON sources (the participant advertised json-encoded-sources): the bridge's feedback SSRCs, owner jvb.
      expect(initA.jingle.jsonSources?.get('jvb' as never)?.audio.sources[0]?.ssrc).toBe(1002);
      expect(initA.jingle.bridgeSession?.id).toBeTruthy();

      // Colibri2: the conference was created with the room name, each endpoint asked for SCTP and source names.
      const create = bridge1.requests.find((r) => r.create === true && r.name === room);
      expect(create?.name).toBe(room);
      expect(bridge1.endpointRequests('aaaa0001')[0]).toMatchObject({ create: true, capabilities: ['source-names'] });
      expect(bridge1.endpointRequests('aaaa0001')[0]?.transport).toMatchObject({ iceControlling: true });

      const res = await a.accept(initA.jingle, 1000);
      expect(res.attrs.type).toBe('result');
      // The bridge learns a's transport and full source list.
      await waitUntil('the bridge to get a transport and sources', () =>
        bridge1
          .endpointRequests('aaaa0001')
          .some((e) => e.transport?.ice?.ufrag === 'uaaaa0001' && (e.sources?.length ?? 0) === 2),
      );
      // b has not accepted yet: a's sources wait for it (PROTOCOL.md §4.5), then arrive as source-add (owner a).
      expect(b.jingles.some((j) => j.jingle.action === 'source-add')).toBe(false);
      await b.accept(initB.jingle, 2000);
      const add = await b.nextJingle('source-add');
      const aSources = add.jingle.jsonSources?.get('aaaa0001' as never);
      expect(aSources?.audio.sources.map((s) => s.ssrc)).toEqual([1001]);
      expect(aSources?.video.sources.map((s) => s.ssrc)).toEqual([1002]);
      // a's session is active: it gets b's sources at once.
      const addToA = await a.nextJingle('source-add');
      expect(addToA.jingle.jsonSources?.get('bbbb0002' as never)?.audio.sources[0]?.ssrc).toBe(2001);

      // A conflicting SSRC is refused and changes nothing; the call goes on.
      const bad = await b.send(sourceJingle('source-add', initB.jingle.sid, 'audio', 1001, 'bbbb0002-a1'));
      expect(bad.attrs.type).toBe('error');
      expect(bad.getChild('error')?.getChild('bad-request')).toBeDefined();

      // A Jingle IQ for an unknown session is refused with item-not-found.
      const unknown = await a.send({ action: 'source-add', sid: 'nope', contents: [], groups: [] });
      expect(unknown.getChild('error')?.getChild('item-not-found')).toBeDefined();

      // Leaving expires the endpoint on the bridge; the last one out ends the conference and the focus leaves.
      await a.leave();
      await waitUntil('endpoint expire', () => bridge1.endpointRequests('aaaa0001').some((e) => e.expire === true));
      await b.leave();
      await waitUntil('conference expire', () =>
        bridge1.requests.some((r) => r.expire === true && r.name === undefined),
      );
    });

    it('answers the conference request over HTTP and serves health, stats and metrics', async () => {
      const res = await fetch(`http://127.0.0.1:${stack.focusHttp}/conference-request/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          room: 'http@conference.meet.localhost',
          machineUid: 'm',
          properties: { rtcstatsEnabled: false },
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ready: true, focusJid: stack.focusJid });
      const bad = await fetch(`http://127.0.0.1:${stack.focusHttp}/conference-request/v1`, {
        method: 'POST',
        body: '{"room": 5}',
      });
      expect(bad.status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${stack.focusHttp}/about/health`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${stack.focusHttp}/metrics`)).text();
      expect(metrics).toMatch(/^convene_focus_bridges 1$/m);
      expect(metrics).toMatch(/^convene_focus_conference_requests_total \d+$/m);
    });

    it('keeps two rooms apart', async () => {
      const [a, b, c, d] = await Promise.all(
        ['r1a00001', 'r1b00002', 'r2c00003', 'r2d00004'].map((n) => stack.participant(n)),
      );
      await a!.requestConference('one@conference.meet.localhost');
      await c!.requestConference('two@conference.meet.localhost');
      for (const [p, room] of [
        [a, 'one'],
        [b, 'one'],
        [c, 'two'],
        [d, 'two'],
      ] as const)
        await p!.join(`${room}@conference.meet.localhost`);
      const [ia, ib, ic, id] = await Promise.all([a, b, c, d].map((p) => p!.nextJingle('session-initiate')));
      await a!.accept(ia!.jingle, 3000);
      await c!.accept(ic!.jingle, 4000);
      await b!.accept(ib!.jingle, 5000);
      await d!.accept(id!.jingle, 6000);
      const toB = await b!.nextJingle('source-add');
      const toD = await d!.nextJingle('source-add');
      expect([...(toB.jingle.jsonSources?.keys() ?? [])]).toEqual(['r1a00001']);
      expect([...(toD.jingle.jsonSources?.keys() ?? [])]).toEqual(['r2c00003']);
      // Each conference has its own meeting id on the bridge.
      const meetings = new Set(
        bridge1.requests
          .filter((r) => (r.create === true && r.name?.startsWith('one@')) || r.name?.startsWith('two@'))
          .map((r) => r.meetingId),
      );
      expect(meetings.size).toBe(2);
      for (const p of [a, b, c, d]) await p!.leave();
    });

    it('relays a restart as source-remove of the old sources, and a later simulcast source-add without SIM', async () => {
      const room = 'restart@conference.meet.localhost';
      const a = await stack.participant('rrrr0001');
      const b = await stack.participant('ssss0002');
      await a.requestConference(room);
      await a.join(room);
      await b.join(room);
      const initA = await a.nextJingle('session-initiate');
      const initB = await b.nextJingle('session-initiate');
      await a.accept(initA.jingle, 3000);
      await b.accept(initB.jingle, 4000);
      const addToB = await b.nextJingle('source-add');
      expect(addToB.jingle.jsonSources?.get('rrrr0001' as never)?.video.sources.map((x) => x.ssrc)).toEqual([3002]);

      // a's ICE failed: it ends its session asking for a restart (PROTOCOL.md §4.6).
      const term = await a.send({
        action: 'session-terminate',
        sid: initA.jingle.sid,
        contents: [],
        groups: [],
        reason: { condition: 'connectivity-error', text: 'ICE FAILED' },
        bridgeSession: { id: initA.jingle.bridgeSession!.id, restart: true },
      });
      expect(term.attrs.type).toBe('result');
      // b drops a's old SSRCs at once (lib-jitsi-meet would otherwise keep dead m-lines), a gets a fresh offer.
      const removed = await b.nextJingle('source-remove', addToB.index + 1);
      const gone = removed.jingle.jsonSources?.get('rrrr0001' as never);
      expect([...(gone?.audio.sources ?? []), ...(gone?.video.sources ?? [])].map((x) => x.ssrc).sort()).toEqual([
        3001, 3002,
      ]);
      const again = await a.nextJingle('session-initiate', initA.index + 1);
      expect(again.jingle.sid).not.toBe(initA.jingle.sid);
      await a.accept(again.jingle, 5000);
      const readd = await b.nextJingle('source-add', removed.index + 1);
      expect(readd.jingle.jsonSources?.get('rrrr0001' as never)?.audio.sources.map((x) => x.ssrc)).toEqual([5001]);

      // a adds a simulcast camera: the bridge gets every layer, b only the first (as in a session-initiate).
      const sim = [6001, 6002, 6003].map((n) => n as never);
      const add = await a.send({
        action: 'source-add',
        sid: again.jingle.sid,
        groups: [],
        contents: [
          {
            name: 'video',
            description: {
              media: 'video',
              payloadTypes: [],
              headerExtensions: [],
              rtcpFbs: [],
              extmapAllowMixed: false,
              rtcpMux: false,
              sources: sim.map((ssrc) => ({ ssrc, name: 'rrrr0001-v1' as never, parameters: [] })),
              ssrcGroups: [{ semantics: 'SIM', ssrcs: sim }],
            },
          },
        ],
      });
      expect(add.attrs.type).toBe('result');
      const simAdd = await b.nextJingle('source-add', readd.index + 1);
      const video = simAdd.jingle.jsonSources?.get('rrrr0001' as never)?.video;
      expect(video?.sources.map((x) => x.ssrc)).toEqual([6001]);
      expect(video?.groups.filter((g) => g.semantics === 'SIM')).toEqual([]);
      await waitUntil('the bridge to get all three layers', () =>
        bridge1.endpointRequests('rrrr0001').some((e) => (e.sources ?? []).some((ms) => ms.sources.length === 3)),
      );
    });

    it('ends the session of a participant left alone and expires the bridge conference', async () => {
      const room = 'alone@conference.meet.localhost';
      const a = await stack.participant('a10e0001');
      const b = await stack.participant('b10e0002');
      await a.requestConference(room);
      await a.join(room);
      await b.join(room);
      const init = await a.nextJingle('session-initiate');
      await a.accept(init.jingle, 9000);
      await b.nextJingle('session-initiate');
      const meetingId = bridge1.requests.find((r) => r.name === room)?.meetingId;
      await b.leave();
      const term = await a.nextJingle('session-terminate', init.index + 1, 10_000);
      expect(term.jingle.reason).toMatchObject({ condition: 'expired', text: 'Idle session timeout' });
      await waitUntil('the bridge conference to expire', () =>
        bridge1.requests.some((r) => r.meetingId === meetingId && r.expire === true),
      );
    });

    it('moves everyone to another bridge when theirs leaves the brewery', async () => {
      const room = 'move@conference.meet.localhost';
      const a = await stack.participant('mmaa0001');
      const b = await stack.participant('mmbb0002');
      await a.requestConference(room);
      await a.join(room);
      await b.join(room);
      const initA = await a.nextJingle('session-initiate');
      const initB = await b.nextJingle('session-initiate');
      await a.accept(initA.jingle, 7000);
      await b.accept(initB.jingle, 8000);
      expect(initA.jingle.contents[0]?.transport?.ufrag).toBe(bridge1.ufragFor('mmaa0001'));

      const bridge2 = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb2', { stress_level: '0.5' });
      try {
        await waitForBridges(stack.focusHttp, 2);
        const killedAt = Date.now();
        await bridge1.close();
        for (const [p, init] of [
          [a, initA],
          [b, initB],
        ] as const) {
          const term = await p.nextJingle('session-terminate', init.index + 1, 5_000);
          expect(term.jingle.reason).toMatchObject({ condition: 'success', text: 'moving' });
          const again = await p.nextJingle('session-initiate', term.index + 1, 5_000);
          expect(again.jingle.sid).not.toBe(init.jingle.sid);
          expect(again.jingle.contents[0]?.transport?.ufrag).toBe(bridge2.ufragFor(p.nick));
        }
        const movedMs = Date.now() - killedAt;
        process.stdout.write(`focus moved 2 participants to another bridge in ${movedMs} ms\n`);
      } finally {
        await bridge2.close();
      }
    });

    it('moves conferences off a bridge that fails its health check', async () => {
      const sick = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb3', { stress_level: '0.1' });
      const healthy = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb4', { stress_level: '0.6' });
      try {
        await waitForBridges(stack.focusHttp, 2);
        const room = 'sick@conference.meet.localhost';
        const a = await stack.participant('5a000001');
        const b = await stack.participant('5b000002');
        await a.requestConference(room);
        await a.join(room);
        await b.join(room);
        const init = await a.nextJingle('session-initiate');
        expect(init.jingle.contents[0]?.transport?.ufrag).toBe(sick.ufragFor('5a000001'));
        await waitUntil('a health check', () => sick.healthChecks > 0);
        sick.healthError = 'internal-server-error';
        const term = await a.nextJingle('session-terminate', init.index + 1, 10_000);
        expect(term.jingle.reason?.text).toBe('moving');
        const again = await a.nextJingle('session-initiate', term.index + 1, 5_000);
        expect(again.jingle.contents[0]?.transport?.ufrag).toBe(healthy.ufragFor('5a000001'));
      } finally {
        await sick.close();
        await healthy.close();
      }
    });
  });
});

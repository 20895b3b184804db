// The focus's XMPP connection goes away and comes back: a connection dropped under a running Prosody, and a
// Prosody restart. The focus must come back in every room and treat whoever left meanwhile as a leaver.
import type { Prosody } from '@convene/xmpp-server';
import { freePort } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { ColibriPeer, reconnectColibriPeer } from '../../harness/colibri-peer.js';
import { startCall } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { JitsiParticipant } from '../../harness/jitsi-participant.js';
import { startTestProsody } from '../../harness/prosody.js';
import { TcpProxy } from '../../harness/tcp-proxy.js';
import { waitUntil } from '../../harness/wait-for.js';

const BRIDGE_PASSWORD = 'bridge-secret';
const FOCUS_PASSWORD = 'focus-secret';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

describe.each(['component', 'client'] as const)('focus reconnect (connected as %s)', (mode) => {
  const focusJid = mode === 'component' ? 'focus@focus.meet.localhost' : 'focus@auth.meet.localhost';
  const prosodyOptions = {
    accounts: [
      { user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD },
      { user: 'focus', host: 'auth.meet.localhost', password: FOCUS_PASSWORD },
    ],
    extraAdmins: mode === 'client' ? ['focus@auth.meet.localhost'] : [],
  };
  let prosody: Prosody;
  /** Between the focus and Prosody, so the focus's connection can be cut and held down. */
  let proxy: TcpProxy;
  let focus: AppProcess;
  let focusHttp: number;
  let bridge: ColibriPeer;
  const participants: JitsiParticipant[] = [];

  beforeAll(async () => {
    prosody = await startTestProsody(prosodyOptions);
    proxy = await TcpProxy.start(mode === 'component' ? prosody.ports.component : prosody.ports.c2s);
    focusHttp = await freePort();
    const connection: Record<string, string> =
      mode === 'component'
        ? {
            CONVENE_FOCUS_COMPONENT_PORT: String(proxy.port),
            CONVENE_FOCUS_COMPONENT_SECRET: prosody.focusSecret,
          }
        : {
            CONVENE_FOCUS_XMPP_MODE: 'client',
            CONVENE_FOCUS_C2S_PORT: String(proxy.port),
            CONVENE_FOCUS_XMPP_PASSWORD: FOCUS_PASSWORD,
          };
    focus = new AppProcess('focus/src/main.ts', {
      ...connection,
      CONVENE_FOCUS_HTTP_PORT: String(focusHttp),
      CONVENE_FOCUS_LOG_LEVEL: 'debug',
      CONVENE_FOCUS_HEALTH_CHECK_INTERVAL_MS: '1000',
    });
    await focus.logLine('focus ready');
    bridge = await ColibriPeer.start(prosody, BRIDGE_PASSWORD, 'jvb1');
    await waitForBridges(focusHttp, 1);
  });
  afterEach(async () => {
    await Promise.all(participants.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await Promise.all(participants.splice(0).map((p) => p.close()));
    await bridge?.close();
    await focus?.stop();
    await proxy?.close();
    await prosody?.close();
  });

  async function participant(nick: string): Promise<JitsiParticipant> {
    const p = await JitsiParticipant.connect(prosody, nick);
    // Debian's Prosody has no client_proxy: in client mode requests go to the focus's own JID (PROTOCOL.md §1.2).
    if (mode === 'client') p.focusAddress = `${focusJid}/focus`;
    participants.push(p);
    return p;
  }

  const logCount = (msg: string) => focus.lines.filter((l) => l.includes(`"msg":"${msg}"`)).length;
  const health = async () => (await fetch(`http://127.0.0.1:${focusHttp}/about/health`)).status;
  const stats = async () =>
    (await (await fetch(`http://127.0.0.1:${focusHttp}/stats`)).json()) as {
      conferences: number;
      participants: number;
    };

  /** Cuts the focus's connection and keeps it down until `whileDown` is done; resolves once it is healthy again. */
  async function focusOutage(whileDown: () => Promise<void>): Promise<void> {
    const disconnects = logCount('xmpp component disconnected');
    proxy.refusing = true;
    proxy.cut();
    await waitUntil('the focus to see the drop', () => logCount('xmpp component disconnected') > disconnects);
    await waitUntil('the focus to report unhealthy', async () => (await health()) === 503);
    await whileDown();
    proxy.refusing = false;
    await waitUntil('the focus to be healthy again', async () => (await health()) === 200, 15_000);
  }

  it('drops its connection under a running Prosody: a member who left meanwhile is a leaver, the other stays', async () => {
    const room = `drop-${mode}@conference.meet.localhost`;
    const [a, b] = await Promise.all(['d1000001', 'd1000002'].map((n) => participant(n)));
    await startCall(room, [a!, b!], 10_000);
    const onlines = logCount('xmpp component online');

    await focusOutage(async () => {
      await b!.leave();
      await a!.peer.waitFor('b leaving', (s) => s.is('presence') && s.attrs.from === `${room}/${b!.nick}`);
    });

    await waitUntil(
      'b expired on the bridge',
      () => bridge.endpointRequests(b!.nick).some((e) => e.expire === true),
      10_000,
    );
    expect(await stats()).toMatchObject({ conferences: 1, participants: 1 });
    expect(bridge.endpointRequests(a!.nick).some((e) => e.expire === true)).toBe(false);
    expect(a!.jingles.some((j) => j.jingle.action === 'session-terminate')).toBe(false);
    // The focus was out of the room meanwhile: a component was kicked (333) when b's leave bounced off it
    // (service-unavailable, a kickable error); a client's session ended with its stream (no stream management on
    // the auth host), which Prosody announces as the focus leaving. Either way the reconnect is a fresh join.
    const away = a!.peer.received.find(
      (s) => s.is('presence') && s.attrs.from === `${room}/focus` && s.attrs.type === 'unavailable',
    );
    const codes =
      away
        ?.getChild('x', NS_MUC_USER)
        ?.getChildren('status')
        .map((s) => String(s.attrs.code)) ?? [];
    expect(away).toBeDefined();
    if (mode === 'component') expect(codes).toContain('333');
    expect(logCount('xmpp component online')).toBe(onlines + 1);
    expect(focus.lines.some((l) => l.includes('"msg":"room rejoined"') && l.includes(room))).toBe(true);

    // The conference still works: a newcomer is invited with a's sources only.
    const c = await participant('d1000003');
    await c.join(room);
    const init = await c.nextJingle('session-initiate');
    const owners = [...(init.jingle.jsonSources?.keys() ?? [])];
    expect(owners).toContain(a!.nick);
    expect(owners).not.toContain(b!.nick);
  });

  it('survives a Prosody restart: the old call is expired, the bridge is back, a new call in the same room works', async () => {
    const room = `restart-${mode}@conference.meet.localhost`;
    await waitUntil('earlier conferences over', async () => (await stats()).conferences === 0, 10_000);
    const [a, b] = await Promise.all(['r1000001', 'r1000002'].map((n) => participant(n)));
    await startCall(room, [a!, b!], 20_000);
    const meetingId = bridge.requests.find((r) => r.name === room && r.create === true)?.meetingId;
    expect(meetingId).toBeDefined();
    // A second bridge that does not come back after the restart.
    const lost = await ColibriPeer.start(prosody, BRIDGE_PASSWORD, 'jvb2');
    await waitForBridges(focusHttp, 2);

    await focusOutage(async () => {
      const { focusSecret } = prosody;
      // Everyone's connection dies with Prosody; nobody says goodbye.
      await prosody.close();
      await Promise.all([...participants.splice(0), lost].map((p) => p.close().catch(() => undefined)));
      // The new Prosody takes fresh ports and the proxy, the focus's address for it, moves there: reusing the old
      // ports raced other test files' Prosody, which could take one in the gap (the focus then reached a stranger's
      // component port: host-unknown).
      prosody = await startTestProsody({ ...prosodyOptions, focusSecret });
      proxy.retarget(mode === 'component' ? prosody.ports.component : prosody.ports.c2s);
      // The bridge logs back in by itself (the real one does, see bridge-signalling/reconnect.test.ts).
      bridge = await reconnectColibriPeer(bridge, prosody, BRIDGE_PASSWORD);
    });

    // The room was made anew and nobody was in it: both members left, so the bridge conference is expired.
    await waitUntil('the old conference expired on the bridge', () =>
      bridge.requests.some((r) => r.meetingId === meetingId && r.expire === true),
    );
    await waitUntil('no conference left', async () => (await stats()).conferences === 0);
    expect(focus.lines.some((l) => l.includes('"msg":"room rejoined"') && l.includes('"left":2'))).toBe(true);
    // Back in the brewery: jvb1 seen again, jvb2 (gone with the old Prosody) forgotten.
    await waitForBridges(focusHttp, 1);

    const [c, d] = await Promise.all(['r1000003', 'r1000004'].map((n) => participant(n)));
    expect(await c!.requestConference(room)).toMatchObject({ ready: true });
    const call = await startCall(room, [c!, d!], 30_000);
    for (const init of call.inits) {
      const owners = [...(init.jingle.jsonSources?.keys() ?? [])];
      expect(owners).not.toContain(a!.nick);
      expect(owners).not.toContain(b!.nick);
    }
    expect(call.inits[0]?.jingle.contents[0]?.transport?.ufrag).toBe(bridge.ufragFor(c!.nick));
    expect(await stats()).toMatchObject({ conferences: 1, participants: 2 });
  });
});

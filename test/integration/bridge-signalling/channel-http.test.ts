// colibri-ws, REST and /metrics of a real bridge process, then a graceful shutdown that drains and exits.
import type { Element } from 'ltx';
import { WebSocket } from 'ws';
import type { Prosody } from '@convene/xmpp-server';
import { colibri2ErrorOf, parseConferenceModified } from '@convene/protocol/colibri2';
import { parseBridgeStats } from '@convene/protocol/jitsi';
import { startTestProsody } from '../../harness/prosody.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { NS_COLIBRI, joinBreweryAsFocus, stanzaErrorOf, type BreweryPeer } from '../../harness/bridge-focus.js';
import { waitUntil } from '../../harness/wait-for.js';

const PASSWORD = 'bridge-pass-ws';
const C2 = 'xmlns="jitsi:colibri2"';

const allocate = (meetingId: string, ep: string, create: boolean) =>
  `<conference-modify ${C2} meeting-id="${meetingId}" name="${meetingId}@conference.meet.localhost"${create ? ' create="true"' : ''}>
    <endpoint id="${ep}" create="true"><transport ice-controlling="true"/><capability name="source-names"/></endpoint>
  </conference-modify>`;

let prosody: Prosody;
let focus: BreweryPeer;
let bridge: BridgeProcess;
const sockets: WebSocket[] = [];

/** Allocates an endpoint and returns its colibri-ws URL. */
async function wsUrlOf(meetingId: string, ep: string, create: boolean): Promise<string> {
  const res = await focus.iq('jvb1', allocate(meetingId, ep, create));
  return parseConferenceModified(res.getChild('conference-modified')!).endpoints[0]!.transport!.ice!.webSockets[0]!;
}

/** A colibri-ws client that records what it receives. */
async function connect(url: string): Promise<{ ws: WebSocket; got: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const got: Array<Record<string, unknown>> = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString('utf8')) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitUntil('ServerHello', () => got.some((m) => m.colibriClass === 'ServerHello'));
  return { ws, got };
}

/** The HTTP status a refused upgrade gets. */
function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => reject(new Error(`upgrade to ${url} was accepted`)));
    ws.once('error', () => undefined);
  });
}

/** Checks every line is Prometheus text exposition format 0.0.4 and returns samples by name{labels}. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|[Nn]a[Nn]|\+Inf|-Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = sample.exec(line);
    if (m === null) throw new Error(`not Prometheus text: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

async function metrics(): Promise<Map<string, number>> {
  const res = await fetch(`${bridge.httpUrl}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheus(await res.text());
}

beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
  focus = await joinBreweryAsFocus(prosody);
  bridge = await BridgeProcess.start({ prosody, password: PASSWORD });
  await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await bridge?.close();
  await focus?.peer.close();
  await prosody?.close();
});

describe('bridge channel, REST and metrics (real bridge process)', () => {
  it('serves /about/version, /about/health and /colibri/stats', async () => {
    const v = (await (await fetch(`${bridge.httpUrl}/about/version`)).json()) as Record<string, string>;
    expect(v).toMatchObject({ name: 'convene-bridge', os: 'Linux' });
    await waitUntil('healthy', async () => (await fetch(`${bridge.httpUrl}/about/health`)).status === 200);
    const stats = (await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ conferences: 0, drain: false, graceful_shutdown: false, mucs_joined: 1 });
    expect((await fetch(`${bridge.httpUrl}/nope`)).status).toBe(404);
    // Drain mode shows in the presence at once and can be turned off again.
    const occupant = `${prosody.layout.breweryRoom}/jvb1`;
    const drainIs = (v: string) => (p: Element) => {
      const el = p.is('presence') && p.attrs.from === occupant ? p.getChild('stats', NS_COLIBRI) : undefined;
      return el !== undefined && parseBridgeStats(el).drain === v;
    };
    expect((await fetch(`${bridge.httpUrl}/colibri/drain/enable`, { method: 'POST' })).status).toBe(200);
    expect(await (await fetch(`${bridge.httpUrl}/colibri/drain`)).json()).toEqual({ drain: true });
    await focus.peer.waitFor('drain=true', drainIs('true'));
    focus.peer.received.length = 0;
    expect((await fetch(`${bridge.httpUrl}/colibri/drain/disable`, { method: 'POST' })).status).toBe(200);
    await focus.peer.waitFor('drain=false', drainIs('false'));
    expect((await fetch(`${bridge.httpUrl}/colibri/shutdown`)).status).toBe(405);
  });

  it('refuses a wrong password, an unknown endpoint and a wrong server id', async () => {
    const url = new URL(await wsUrlOf('m-auth', 'a1', true));
    const wrong = new URL(url);
    wrong.searchParams.set('pwd', 'x'.repeat(24));
    expect(await refusal(wrong.toString())).toBe(403);
    const nopwd = new URL(url);
    nopwd.search = '';
    expect(await refusal(nopwd.toString())).toBe(403);
    expect(await refusal(url.toString().replace('/a1?', '/zz?'))).toBe(403);
    expect(await refusal(url.toString().replace('/default-id/', '/other-id/'))).toBe(404);
    expect(await refusal(url.toString().replace('/a1?', '/%E0%A4%A?'))).toBe(404);
    expect(await refusal(url.toString().replace('/colibri-ws/', '/elsewhere/'))).toBe(404);
    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="m-auth" expire="true"/>`);
    // The endpoint is gone: its once-valid URL is refused too.
    expect(await refusal(url.toString())).toBe(403);
  });

  it('relays EndpointMessage inside its conference only, and counts garbage as drops', async () => {
    const before = await metrics();
    const a = await connect(await wsUrlOf('m-one', 'alice', true));
    const b = await connect(await wsUrlOf('m-one', 'bob', false));
    const c = await connect(await wsUrlOf('m-two', 'carol', true));
    expect(a.got[0]).toMatchObject({ colibriClass: 'ServerHello' });

    a.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: 'bob', from: 'spoof', msgPayload: { n: 1 } }));
    await waitUntil('bob gets the message', () => b.got.find((m) => m.colibriClass === 'EndpointMessage'));
    expect(b.got.find((m) => m.colibriClass === 'EndpointMessage')).toEqual({
      colibriClass: 'EndpointMessage',
      to: 'bob',
      from: 'alice',
      msgPayload: { n: 1 },
    });
    // To an endpoint of another conference: dropped, even though carol is connected.
    a.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: 'carol', msgPayload: { n: 2 } }));
    // Broadcast: bob only.
    a.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: '', msgPayload: { n: 3 } }));
    a.ws.send(JSON.stringify({ colibriClass: 'EndpointStats', bitrate: 1 }));
    a.ws.send(
      JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', lastN: 2, defaultConstraints: { maxHeight: 180 } }),
    );
    a.ws.send(JSON.stringify({ colibriClass: 'LastNChangedEvent', lastN: 3 }));
    a.ws.send('garbage{');
    a.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: 5 }));
    c.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: '', msgPayload: { n: 4 } }));
    await waitUntil('bob gets broadcast and stats', () => b.got.some((m) => m.colibriClass === 'EndpointStats'));
    await waitUntil('drops counted', async () => {
      const m = await metrics();
      return (m.get('convene_bridge_colibri_web_socket_messages_dropped_total{reason="malformed"}') ?? 0) >= 2
        ? m
        : false;
    });
    const after = await metrics();
    expect(after.get('convene_bridge_colibri_web_socket_messages_dropped_total{reason="unknown-target"}')).toBe(1);
    const received = (m: Map<string, number>) =>
      m.get('convene_bridge_colibri_web_socket_messages_received_total') ?? 0;
    expect(received(after) - received(before)).toBe(9);
    expect(b.got.filter((m) => m.colibriClass === 'EndpointMessage').map((m) => m.msgPayload)).toEqual([
      { n: 1 },
      { n: 3 },
    ]);
    const relayed = (got: Array<Record<string, unknown>>) =>
      got.map((m) => m.colibriClass).filter((k) => k !== 'ForwardedSources');
    expect(relayed(c.got)).toEqual(['ServerHello']);
    expect(relayed(a.got)).toEqual(['ServerHello']);

    // Expiring an endpoint closes its channel.
    const closed = new Promise<number>((resolve) => b.ws.once('close', (code) => resolve(code)));
    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="m-one"><endpoint id="bob" expire="true"/></conference-modify>`,
    );
    expect(await closed).toBe(1000);
  });

  it('tells each channel which video sources it is sent, and again when they change', async () => {
    const a = await connect(await wsUrlOf('m-fwd', 'ann', true));
    await waitUntil('first ForwardedSources', () => a.got.some((m) => m.colibriClass === 'ForwardedSources'));
    expect(a.got.find((m) => m.colibriClass === 'ForwardedSources')).toEqual({
      colibriClass: 'ForwardedSources',
      forwardedSources: [],
    });
    // As in JVB, nothing is forwarded before the receiver says what it wants.
    a.ws.send(JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', defaultConstraints: { maxHeight: 180 } }));
    await wsUrlOf('m-fwd', 'ben', false);
    const sources = (ep: string, n: number) =>
      `<conference-modify ${C2} meeting-id="m-fwd"><endpoint id="${ep}"><sources>` +
      Array.from(
        { length: n },
        (_, i) =>
          `<media-source type="video" id="${ep}-v${i}"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="${7000 + i}" name="${ep}-v${i}"/></media-source>`,
      ).join('') +
      `<media-source type="audio" id="${ep}-a0"><source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="7100" name="${ep}-a0"/></media-source>` +
      '</sources></endpoint></conference-modify>';
    const lastForwarded = () =>
      a.got.filter((m) => m.colibriClass === 'ForwardedSources').at(-1)?.forwardedSources as string[] | undefined;
    await focus.iq('jvb1', sources('ben', 1));
    await waitUntil('ben-v0 forwarded', () => lastForwarded()?.join() === 'ben-v0');
    await focus.iq('jvb1', sources('ben', 2));
    await waitUntil('ben-v1 forwarded too', () => lastForwarded()?.join() === 'ben-v0,ben-v1');
    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="m-fwd"><endpoint id="ben" expire="true"/></conference-modify>`,
    );
    await waitUntil('nothing forwarded once ben is gone', () => lastForwarded()?.length === 0);
    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="m-fwd" expire="true"/>`);
  });

  it('exposes Prometheus text whose counters move with Colibri2 traffic', async () => {
    const m = await metrics();
    expect(m.get('convene_bridge_conferences')).toBe(2);
    expect(m.get('convene_bridge_endpoints')).toBe(2);
    // m-one, m-two, m-fwd (expired) and the first test's.
    expect(m.get('convene_bridge_conferences_created_total')).toBe(4);
    expect(m.get('convene_bridge_brewery_joined')).toBe(1);
    expect(m.get('convene_bridge_colibri_requests_total')).toBeGreaterThanOrEqual(6);
    expect(m.has('convene_bridge_process_cpu_seconds_total')).toBe(true);
    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="nope"/>`).catch(() => undefined);
    const m2 = await metrics();
    expect(m2.get('convene_bridge_iq_errors_total{code="conference-not-found"}')).toBe(1);
  });

  it('shuts down gracefully: refuses new conferences, drains, then exits', async () => {
    const res = await fetch(`${bridge.httpUrl}/colibri/shutdown`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ 'graceful-shutdown': true }),
    });
    expect(res.status).toBe(200);
    const health = await fetch(`${bridge.httpUrl}/about/health`);
    expect(health.status).toBe(500);
    expect(await health.text()).toBe('in graceful shutdown');
    const occupant = `${prosody.layout.breweryRoom}/jvb1`;
    await focus.peer.waitFor('graceful_shutdown in presence', (p) => {
      const el = p.is('presence') && p.attrs.from === occupant ? p.getChild('stats', NS_COLIBRI) : undefined;
      return el !== undefined && parseBridgeStats(el).graceful_shutdown === 'true';
    });
    // Health IQs still pass: Jicofo must not move the running conferences away.
    expect(
      (await focus.iq('jvb1', '<healthcheck xmlns="http://jitsi.org/protocol/healthcheck"/>', 'get')).attrs.type,
    ).toBe('result');
    const err = await focus.iq('jvb1', allocate('m-late', 'x', true)).catch((e: unknown) => e);
    expect(colibri2ErrorOf(stanzaErrorOf(err))?.reason).toBe('graceful_shutdown');
    expect(bridge.child.exitCode).toBeNull();

    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="m-one" expire="true"/>`);
    expect(bridge.child.exitCode).toBeNull();
    await focus.iq('jvb1', `<conference-modify ${C2} meeting-id="m-two" expire="true"/>`);
    await focus.peer.waitFor('shutting_down in presence', (p) => {
      const el = p.is('presence') && p.attrs.from === occupant ? p.getChild('stats', NS_COLIBRI) : undefined;
      return el !== undefined && parseBridgeStats(el).shutting_down === 'true';
    });
    expect(await bridge.exited).toBe(0);
    await focus.peer.waitFor(
      'bridge left the brewery',
      (p) => p.is('presence') && p.attrs.from === occupant && p.attrs.type === 'unavailable',
    );
  });
});

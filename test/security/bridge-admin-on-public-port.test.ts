// Threat: the bridge's admin routes (shutdown, drain, stats, /metrics) reachable by anyone who reaches colibri-ws.
// Jitsi's nginx proxies the public colibri-ws port to the world; JVB keeps REST on a separate, private server.
// The attack: take the colibri-ws URL the bridge hands out in Colibri2, and POST /colibri/shutdown to its host;
// then, from a web page, POST to the private server cross-site.
import { WebSocket } from 'ws';
import type { Prosody } from '@convene/xmpp-server';
import { parseConferenceModified } from '@convene/protocol/colibri2';
import { startTestProsody } from '../harness/prosody.js';
import { BridgeProcess } from '../harness/bridge-process.js';
import { joinBreweryAsFocus, type BreweryPeer } from '../harness/bridge-focus.js';
import { waitUntil } from '../harness/wait-for.js';

const PASSWORD = 'bridge-pass-admin';
const C2 = 'xmlns="jitsi:colibri2"';

let prosody: Prosody;
let focus: BreweryPeer;
let bridge: BridgeProcess;
let wsUrl: URL;

beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
  focus = await joinBreweryAsFocus(prosody);
  bridge = await BridgeProcess.start({ prosody, password: PASSWORD });
  await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
  wsUrl = await advertisedWsUrl();
});
afterAll(async () => {
  await bridge?.close();
  await focus?.peer.close();
  await prosody?.close();
});

/** The colibri-ws URL of a new endpoint, as a client gets it. */
async function advertisedWsUrl(): Promise<URL> {
  const res = await focus.iq(
    'jvb1',
    `<conference-modify ${C2} meeting-id="m-admin" name="m-admin@conference.meet.localhost" create="true">
      <endpoint id="a1" create="true"><transport ice-controlling="true"/><capability name="source-names"/></endpoint>
    </conference-modify>`,
  );
  const ep = parseConferenceModified(res.getChild('conference-modified')!).endpoints[0]!;
  return new URL(ep.transport!.ice!.webSockets[0]!);
}

/** The HTTP status an upgrade gets, or 101 when it is accepted. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('bridge admin routes on the public port', () => {
  it('answers 404 to every admin route on the colibri-ws host, and the bridge keeps running', async () => {
    const ws = wsUrl;
    const pub = `http://${ws.host}`;
    expect(await upgradeStatus(ws.toString())).toBe(101);
    const post = (path: string) =>
      fetch(`${pub}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ 'graceful-shutdown': false }),
      });
    expect((await post('/colibri/shutdown')).status).toBe(404);
    expect((await post('/colibri/drain/enable')).status).toBe(404);
    for (const path of ['/colibri/stats', '/colibri/drain', '/metrics', '/about/health', '/about/version'])
      expect([path, (await fetch(`${pub}${path}`)).status]).toEqual([path, 404]);
    // Nothing happened: still healthy, not draining, not exiting.
    await waitUntil('healthy', async () => (await fetch(`${bridge.httpUrl}/about/health`)).status === 200);
    expect(await (await fetch(`${bridge.httpUrl}/colibri/drain`)).json()).toEqual({ drain: false });
    expect(bridge.child.exitCode).toBeNull();
  });

  it('refuses colibri-ws on the private server', async () => {
    const url = new URL(wsUrl);
    const priv = new URL(bridge.httpUrl);
    url.host = priv.host;
    expect(await upgradeStatus(url.toString())).toBe(404);
  });

  it('refuses a cross-site POST on the private server, then shuts down on a plain one', async () => {
    const drain = (headers: Record<string, string>) =>
      fetch(`${bridge.httpUrl}/colibri/drain/enable`, { method: 'POST', headers });
    expect((await drain({ Origin: 'https://evil.example' })).status).toBe(403);
    expect((await drain({ 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await drain({ Origin: 'null' })).status).toBe(403);
    expect(await (await fetch(`${bridge.httpUrl}/colibri/drain`)).json()).toEqual({ drain: false });
    // The same host as Origin (the operator's own page on the private server) is not cross-site.
    expect((await drain({ Origin: bridge.httpUrl })).status).toBe(200);
    expect(await (await fetch(`${bridge.httpUrl}/colibri/drain`)).json()).toEqual({ drain: true });

    const res = await fetch(`${bridge.httpUrl}/colibri/shutdown`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ 'graceful-shutdown': false }),
    });
    expect(res.status).toBe(200);
    expect(await bridge.exited).toBe(0);
  });
});

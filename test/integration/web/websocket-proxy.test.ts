// The web server's WebSocket proxy against a real Prosody: however a connection ends, both of its sockets close
// and the web server's descriptors come back to where they were.
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { freePort, type Prosody } from '@convene/xmpp-server';
import { AppProcess } from '../../harness/app-process.js';
import { startTestProsody } from '../../harness/prosody.js';
import { waitUntil } from '../../harness/wait-for.js';

/** Connections per way of ending: a leak of one descriptor each shows plainly. */
const ROUNDS = 8;
/** An XMPP stream to a host Prosody does not serve: it answers host-unknown and closes first. */
const OPEN_UNKNOWN_HOST = '<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="nowhere.example" version="1.0"/>';

let prosody: Prosody;
let web: AppProcess;
let wsBase: string;

beforeAll(async () => {
  prosody = await startTestProsody();
  web = new AppProcess('web/server/main.ts', {
    CONVENE_WEB_PORT: '0',
    CONVENE_WEB_XMPP_HTTP_URL: `http://127.0.0.1:${prosody.ports.http}`,
    // Nothing listens there: the bridge refuses every colibri-ws connection.
    CONVENE_WEB_BRIDGE_HTTP_URL: `http://127.0.0.1:${await freePort()}`,
    CONVENE_WEB_LOG_LEVEL: 'debug',
  });
  wsBase = String((await web.logLine('web ready', 30_000)).url).replace(/^http/, 'ws');
  // One connection first, so whatever the process opens once (and keeps) is in the baseline.
  const first = await openXmpp();
  first.close();
  await closed(first);
}, 40_000);
afterAll(async () => {
  await web?.stop();
  await prosody?.close();
});

/** The web server process's open descriptors. */
function fds(): number {
  return readdirSync(`/proc/${web.child.pid}/fd`).length;
}

async function openXmpp(): Promise<WebSocket> {
  const ws = new WebSocket(`${wsBase}xmpp-websocket`, 'xmpp');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));
}

function rawSocket(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

/** Runs `round` ROUNDS times side by side, then waits for the descriptors to come back to where they were. */
async function expectNoLeak(round: () => Promise<void>): Promise<void> {
  const baseline = fds();
  await Promise.all(Array.from({ length: ROUNDS }, round));
  await waitUntil(
    `the web server's descriptors to come back to ${baseline} (${fds()} when the wait began)`,
    () => fds() <= baseline,
    10_000,
  );
}

describe('web server websocket proxy', () => {
  it('closes both sides when the client closes cleanly', async () => {
    await expectNoLeak(async () => {
      const ws = await openXmpp();
      ws.close(1000);
      await closed(ws);
    });
  });

  it('closes both sides when the client socket is destroyed, as when a tab is closed', async () => {
    await expectNoLeak(async () => {
      const ws = await openXmpp();
      ws.terminate();
      await closed(ws);
    });
  });

  it('closes both sides when the client connection is reset', async () => {
    await expectNoLeak(async () => {
      const ws = await openXmpp();
      ws.on('error', () => {});
      rawSocket(ws).resetAndDestroy();
      await closed(ws);
    });
  });

  it('closes both sides when Prosody closes first and the client answers with its close frame', async () => {
    const baseline = fds();
    const clients = await Promise.all(Array.from({ length: ROUNDS }, openXmpp));
    // The clients read nothing until Prosody has closed and the proxy has dropped its upstream sockets: then
    // each reads Prosody's close, answers with its own close frame (as a browser does) and ends.
    for (const ws of clients) ws.pause();
    for (const ws of clients) ws.send(OPEN_UNKNOWN_HOST);
    await waitUntil('Prosody to close the upstream connections', () => fds() <= baseline + ROUNDS, 10_000);
    for (const ws of clients) ws.resume();
    await Promise.all(clients.map(closed));
    await waitUntil(
      `the web server's descriptors to come back to ${baseline} (${fds()} when the wait began)`,
      () => fds() <= baseline,
      10_000,
    );
  });

  it('closes the client side when the upstream refuses the connection', async () => {
    await expectNoLeak(async () => {
      const client = await rawUpgrade('/colibri-ws/jvb1/conference/endpoint?pwd=x');
      let answer = '';
      client.on('data', (d: Buffer) => (answer += d.toString()));
      // The client keeps its end open after the answer: the proxy must close the connection itself.
      await new Promise((resolve) => client.once('end', resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 502 /);
      client.end();
      await new Promise((resolve) => client.once('close', resolve));
    });
  });

  it('closes the upstream when the client goes away before the upstream answers', async () => {
    await expectNoLeak(async () => {
      const client = await rawUpgrade('/xmpp-websocket');
      client.destroy();
    });
  });
});

/** An upgrade request written on a plain socket: the test decides what happens next. */
async function rawUpgrade(path: string): Promise<Socket> {
  const url = new URL(wsBase);
  const client = connect(Number(url.port), url.hostname);
  await new Promise((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  client.write(
    [
      `GET ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: xmpp',
      '',
      '',
    ].join('\r\n'),
  );
  return client;
}

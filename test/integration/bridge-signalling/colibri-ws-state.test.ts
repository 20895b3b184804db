// colibri-ws client state (PROTOCOL.md §7.4): ReceiverVideoConstraints and LastNChangedEvent are stored on the
// sender's endpoint, ClientHello is answered with ServerHello. The bridge process exposes none of that state, so
// the real ColibriWsServer runs here on a real HTTP server, reached with real WebSockets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { ColibriWsServer } from '@convene/bridge/channel';
import { MediaServer, type Endpoint } from '@convene/bridge/conference';
import { waitUntil } from '../../harness/wait-for.js';

const VERSION = 'test-version-1';

let media: MediaServer;
let endpoints: Endpoint[];
let server: Server;
let colibriWs: ColibriWsServer;
let port: number;
const sockets: WebSocket[] = [];

/** A client on `ep`'s channel that records what it receives (after the initial ServerHello). */
async function connect(ep: Endpoint): Promise<{ ws: WebSocket; got: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(
    `ws://127.0.0.1:${port}/colibri-ws/default-id/${ep.conferenceId}/${ep.id}?pwd=${ep.password}`,
  );
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

/** Sends a ClientHello and waits for its ServerHello: everything sent before it has been handled. */
async function hello(c: { ws: WebSocket; got: Array<Record<string, unknown>> }): Promise<Record<string, unknown>> {
  const before = c.got.filter((m) => m.colibriClass === 'ServerHello').length;
  c.ws.send(JSON.stringify({ colibriClass: 'ClientHello' }));
  return waitUntil('ServerHello for ClientHello', () =>
    c.got.filter((m) => m.colibriClass === 'ServerHello').at(before),
  );
}

beforeAll(async () => {
  media = await MediaServer.create({ port: 0, bindAddress: '127.0.0.1' });
  const conf1 = media.createConference('conf1');
  const conf2 = media.createConference('conf2');
  endpoints = [conf1.createEndpoint('alice'), conf1.createEndpoint('bob'), conf2.createEndpoint('carol')];
  for (const [i, ep] of endpoints.entries()) ep.setSources([{ ssrc: 1000 + i, kind: 'video', name: `${ep.id}-v0` }]);
  colibriWs = new ColibriWsServer({
    directory: media,
    serverId: 'default-id',
    version: VERSION,
    log: pino({ level: 'silent' }),
  });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head: Buffer) => {
    if (!colibriWs.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  colibriWs?.close();
  media?.close();
  await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
});

describe('colibri-ws: client state and hello', () => {
  it('greets on connect and answers every ClientHello with a ServerHello carrying the version', async () => {
    const c = await connect(endpoints[2]!);
    expect(c.got[0]).toEqual({ colibriClass: 'ServerHello', version: VERSION });
    expect(await hello(c)).toEqual({ colibriClass: 'ServerHello', version: VERSION });
    expect(await hello(c)).toEqual({ colibriClass: 'ServerHello', version: VERSION });
    expect(c.got.filter((m) => m.colibriClass === 'ServerHello')).toHaveLength(3);
    // Only to the sender.
    expect(colibriWs.counters.messagesReceived).toBe(2);
  });

  it('stores ReceiverVideoConstraints as a patch and LastN on the sending endpoint only', async () => {
    const [alice, bob] = [endpoints[0]!, endpoints[1]!];
    const a = await connect(alice);
    const b = await connect(bob);
    expect(alice.receiver.lastN).toBeUndefined();

    a.ws.send(
      JSON.stringify({
        colibriClass: 'ReceiverVideoConstraints',
        lastN: 2,
        defaultConstraints: { maxHeight: 180 },
        onStageSources: ['bob-v0'],
        constraints: { 'bob-v0': { maxHeight: 720 } },
      }),
    );
    await hello(a);
    expect(alice.receiver.lastN).toBe(2);
    expect(alice.receiver.videoConstraints).toEqual({
      lastN: 2,
      defaultConstraints: { maxHeight: 180 },
      onStageSources: ['bob-v0'],
      constraints: { 'bob-v0': { maxHeight: 720 } },
    });

    // A later message patches: absent fields stay as they were.
    a.ws.send(JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', defaultConstraints: { maxHeight: 360 } }));
    await hello(a);
    expect(alice.receiver.lastN).toBe(2);
    expect(alice.receiver.videoConstraints).toMatchObject({
      lastN: 2,
      defaultConstraints: { maxHeight: 360 },
      onStageSources: ['bob-v0'],
    });

    a.ws.send(JSON.stringify({ colibriClass: 'LastNChangedEvent', lastN: -1 }));
    await hello(a);
    expect(alice.receiver.lastN).toBe(-1);

    a.ws.send(JSON.stringify({ colibriClass: 'SourceVideoTypeMessage', sourceName: 'alice-v0', videoType: 'desktop' }));
    // A malformed LastN changes nothing.
    a.ws.send(JSON.stringify({ colibriClass: 'LastNChangedEvent', lastN: 'all' }));
    await hello(a);
    expect(alice.receiver.lastN).toBe(-1);
    expect(alice.videoTypes.get('alice-v0')).toBe('desktop');

    // bob's state is his own, and none of alice's messages reached him.
    b.ws.send(JSON.stringify({ colibriClass: 'LastNChangedEvent', lastN: 5 }));
    await hello(b);
    expect(bob.receiver.lastN).toBe(5);
    expect(bob.receiver.videoConstraints).toBeUndefined();
    expect(alice.receiver.lastN).toBe(-1);
    // On connect bob hears what is asked of his own source (SenderSourceConstraints), as from JVB; nothing of alice's.
    expect(b.got.map((m) => m.colibriClass)).toEqual([
      'ServerHello',
      'ForwardedSources',
      'SenderSourceConstraints',
      'ServerHello',
    ]);
  });
});

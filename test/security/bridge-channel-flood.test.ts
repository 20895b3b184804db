// Threat: one participant exhausts the bridge's memory, or starves the others, through its bridge channel.
// colibri-ws is reachable by every participant (the URL and password come in its own Jingle session). The attack:
// flood the channel with distinct source names, ever-new ReceiverVideoConstraints fields and large messages, or
// open a channel and stop reading it while the others talk. The bridge must stay flat and the others' channels
// must keep working.
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import type { Prosody } from '@convene/xmpp-server';
import { parseConferenceModified } from '@convene/protocol/colibri2';
import { startTestProsody } from '../harness/prosody.js';
import { BridgeProcess } from '../harness/bridge-process.js';
import { joinBreweryAsFocus, type BreweryPeer } from '../harness/bridge-focus.js';
import { waitUntil } from '../harness/wait-for.js';

const PASSWORD = 'bridge-pass-flood';
const C2 = 'xmlns="jitsi:colibri2"';
const SSMA = 'xmlns="urn:xmpp:jingle:apps:rtp:ssma:0"';

type Got = Array<Record<string, unknown>>;
interface Channel {
  ws: WebSocket;
  got: Got;
  closed: Promise<number>;
}

let prosody: Prosody;
let focus: BreweryPeer;

beforeAll(async () => {
  prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
  focus = await joinBreweryAsFocus(prosody);
});
afterAll(async () => {
  await focus?.peer.close();
  await prosody?.close();
});

/** Allocates `ep` (with one video source) in `meetingId` on `bridgeId`; returns its colibri-ws URL. */
async function allocate(bridgeId: string, meetingId: string, ep: string, create: boolean, ssrc: number) {
  const res = await focus.iq(
    bridgeId,
    `<conference-modify ${C2} meeting-id="${meetingId}" name="${meetingId}@conference.meet.localhost"${create ? ' create="true"' : ''}>
      <endpoint id="${ep}" create="true"><transport ice-controlling="true"/><capability name="source-names"/>
        <sources><media-source type="video" id="${ep}-v0"><source ${SSMA} ssrc="${ssrc}" name="${ep}-v0"/></media-source></sources>
      </endpoint>
    </conference-modify>`,
  );
  return parseConferenceModified(res.getChild('conference-modified')!).endpoints[0]!.transport!.ice!.webSockets[0]!;
}

async function connect(url: string): Promise<Channel> {
  const ws = new WebSocket(url);
  const got: Got = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString('utf8')) as Record<string, unknown>));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  await waitUntil('ServerHello', () => got.some((m) => m.colibriClass === 'ServerHello'));
  // As lib-jitsi-meet on open: without it the bridge forwards (and announces) no video, as JVB.
  ws.send(JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', defaultConstraints: { maxHeight: 180 } }));
  return { ws, got, closed };
}

/** Sends a ClientHello; resolves once its ServerHello is back, i.e. everything sent before it was handled. */
async function hello(c: Channel): Promise<void> {
  const before = c.got.filter((m) => m.colibriClass === 'ServerHello').length;
  c.ws.send(JSON.stringify({ colibriClass: 'ClientHello' }));
  await waitUntil('ServerHello', () => c.got.filter((m) => m.colibriClass === 'ServerHello').length > before, 30_000);
}

/** VmRSS of a process, in MiB. */
function rssMib(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

async function metric(bridge: BridgeProcess, name: string): Promise<number> {
  const text = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** bob and carol can still talk through the bridge, and still learn about sources. */
let newcomers = 0;
async function othersStillWork(bridgeId: string, meetingId: string, bob: Channel, carol: Channel): Promise<void> {
  const n = Math.random();
  bob.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: 'carol', msgPayload: { n } }));
  await waitUntil('carol hears bob', () =>
    carol.got.some((m) => m.colibriClass === 'EndpointMessage' && (m.msgPayload as { n?: number }).n === n),
  );
  carol.ws.send(JSON.stringify({ colibriClass: 'EndpointMessage', to: '', msgPayload: { n } }));
  await waitUntil('bob hears carol', () =>
    bob.got.some((m) => m.colibriClass === 'EndpointMessage' && (m.msgPayload as { n?: number }).n === n),
  );
  const dave = `dave${++newcomers}`;
  await allocate(bridgeId, meetingId, dave, false, 9000 + newcomers);
  await waitUntil(`bob is told about ${dave}-v0`, () =>
    bob.got.some(
      (m) => m.colibriClass === 'ForwardedSources' && (m.forwardedSources as string[]).includes(`${dave}-v0`),
    ),
  );
}

describe('bridge channel flood', () => {
  let bridge: BridgeProcess;
  afterAll(async () => {
    await bridge?.close();
  });

  it('keeps the bridge RSS flat and the others talking when one endpoint floods its channel', async () => {
    bridge = await BridgeProcess.start({ prosody, password: PASSWORD, bridgeId: 'jvb-flood' });
    await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
    const pid = bridge.child.pid!;
    const malloryUrl = await allocate('jvb-flood', 'm-flood', 'mallory', true, 1001);
    const bob = await connect(await allocate('jvb-flood', 'm-flood', 'bob', false, 1002));
    const carol = await connect(await allocate('jvb-flood', 'm-flood', 'carol', false, 1003));
    await othersStillWork('jvb-flood', 'm-flood', bob, carol);
    const before = rssMib(pid);

    /** Sends every message on a channel (reconnecting if the bridge closed it); then waits until handled or closed. */
    let mallory = await connect(malloryUrl);
    const flood = async (messages: Iterable<string>) => {
      if (mallory.ws.readyState !== WebSocket.OPEN) mallory = await connect(malloryUrl);
      for (const m of messages) mallory.ws.send(m);
      const hellos = mallory.got.filter((m) => m.colibriClass === 'ServerHello').length;
      mallory.ws.send(JSON.stringify({ colibriClass: 'ClientHello' }));
      await waitUntil(
        'the flood handled, or the channel closed',
        () =>
          mallory.ws.readyState === WebSocket.CLOSED ||
          mallory.got.filter((m) => m.colibriClass === 'ServerHello').length > hellos,
        30_000,
      );
    };
    const pad = (n: number, i: number) => String(i).padStart(n, 'x');
    // Distinct source names within every bound a real one meets.
    await flood(
      Array.from({ length: 4000 }, (_, i) =>
        JSON.stringify({ colibriClass: 'SourceVideoTypeMessage', sourceName: pad(250, i), videoType: 'camera' }),
      ),
    );
    // A new unknown field every time: JVB ignores them, but they must not pile up.
    await flood(
      Array.from({ length: 1500 }, (_, i) =>
        JSON.stringify({ colibriClass: 'ReceiverVideoConstraints', [`f${i}`]: pad(12_000, i), lastN: 1 }),
      ),
    );
    // Large: distinct 200 KiB source names, and 200 KiB broadcasts fanned out to everyone else.
    await flood(
      Array.from({ length: 150 }, (_, i) =>
        JSON.stringify({ colibriClass: 'SourceVideoTypeMessage', sourceName: pad(200_000, i), videoType: 'desktop' }),
      ),
    );
    await flood(
      Array.from({ length: 150 }, (_, i) =>
        JSON.stringify({ colibriClass: 'EndpointMessage', to: '', msgPayload: pad(200_000, i) }),
      ),
    );
    const after = rssMib(pid);
    process.stdout.write(`bridge RSS before the flood ${before.toFixed(1)} MiB, after ${after.toFixed(1)} MiB\n`);

    // The flood cost at most a little (the 200 KiB messages alone are 60 MB), and the others' calls go on.
    expect(after - before).toBeLessThan(25);
    await othersStillWork('jvb-flood', 'm-flood', bob, carol);
    expect(
      await metric(bridge, 'convene_bridge_colibri_web_socket_messages_dropped_total{reason="rate-limited"}'),
    ).toBeGreaterThan(0);
    expect(
      await metric(bridge, 'convene_bridge_colibri_web_socket_messages_dropped_total{reason="too-large"}'),
    ).toBeGreaterThan(0);
    expect(bridge.logs.some((l) => l.msg === 'bridge channel closed for abuse' && l.endpointId === 'mallory')).toBe(
      true,
    );
    for (const c of [bob, carol]) expect(c.ws.readyState).toBe(WebSocket.OPEN);
    for (const c of [bob, carol, mallory]) c.ws.terminate();
  });
});

describe('bridge channel with a receiver that stops reading', () => {
  let bridge: BridgeProcess;
  afterAll(async () => {
    await bridge?.close();
  });

  it('cuts that receiver off at its send backlog limit, and the others keep talking', async () => {
    // Generous inbound limits so one sender can fill the kernel's socket buffers quickly; a small backlog.
    bridge = await BridgeProcess.start({
      prosody,
      password: PASSWORD,
      bridgeId: 'jvb-slow',
      args: [
        ...['--channel-messages-per-second', '100000', '--channel-bytes-per-second', '1000000000'],
        ...['--channel-max-send-backlog-bytes', '65536'],
      ],
    });
    await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
    const mallory = await connect(await allocate('jvb-slow', 'm-slow', 'mallory', true, 2001));
    const bob = await connect(await allocate('jvb-slow', 'm-slow', 'bob', false, 2002));
    const carol = await connect(await allocate('jvb-slow', 'm-slow', 'carol', false, 2003));
    // mallory stops reading: everything for it piles up in the kernel, then in the bridge.
    (mallory.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const msg = JSON.stringify({ colibriClass: 'EndpointMessage', to: 'mallory', msgPayload: 'x'.repeat(15_000) });
    for (
      let round = 0;
      round < 20 && !bridge.logs.some((l) => l.msg === 'bridge channel send backlog exceeded');
      round++
    ) {
      for (let i = 0; i < 100; i++) bob.ws.send(msg);
      await hello(bob);
    }
    await bridge.waitForLog(
      'backlog cut',
      (l) => l.msg === 'bridge channel send backlog exceeded' && l.endpointId === 'mallory',
    );
    expect(
      await metric(bridge, 'convene_bridge_colibri_web_socket_messages_dropped_total{reason="backlog"}'),
    ).toBeGreaterThan(0);
    await othersStillWork('jvb-slow', 'm-slow', bob, carol);
    for (const c of [bob, carol, mallory]) c.ws.terminate();
  });
});

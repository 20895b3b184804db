// Threat: a participant signals remote ICE candidates that point the bridge at itself or its network: a hostname
// (the bridge would resolve it on node's shared threadpool, from the packet path), loopback, link-local, "this
// network" or multicast addresses. The bridge, with its default config, accepts IPv4 unicast literals only and
// sends no STUN to any of these.
import { createSocket, type Socket } from 'node:dgram';
import type { Prosody } from '@convene/xmpp-server';
import { BridgeProcess } from '../harness/bridge-process.js';
import { joinBreweryAsFocus, type BreweryPeer } from '../harness/bridge-focus.js';
import { startTestProsody } from '../harness/prosody.js';

const PASSWORD = 'bridge-pass-candidates';
const C2 = 'xmlns="jitsi:colibri2"';
const MEETING = 'candidates-1';

async function listener(): Promise<{ socket: Socket; port: number; received: string[] }> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (m, r) => received.push(`${r.address}:${r.port} ${m.length} bytes`));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

describe('ICE remote candidate targets', () => {
  let prosody: Prosody;
  let focus: BreweryPeer;
  let bridge: BridgeProcess;
  const listeners: Array<Awaited<ReturnType<typeof listener>>> = [];

  beforeAll(async () => {
    prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }] });
    focus = await joinBreweryAsFocus(prosody);
    // The default config (no allowLocalCandidates); an endpoint that never connects expires after 2 s.
    bridge = await BridgeProcess.start({
      prosody,
      password: PASSWORD,
      allowLocalCandidates: false,
      args: ['--endpoint-connect-timeout-ms', '2000'],
    });
    await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
  });
  afterAll(async () => {
    for (const l of listeners) l.socket.close();
    await bridge?.close();
    await focus?.peer.close();
    await prosody?.close();
  });

  it('sends no STUN to hostname, loopback, link-local, unspecified or multicast candidates', async () => {
    const [loopback, named, unspecified] = [await listener(), await listener(), await listener()];
    listeners.push(loopback, named, unspecified);
    // Each address that reaches this host lands on one of the listeners: 127.0.0.1 itself, "localhost" once
    // resolved, and 0.0.0.0, which Linux delivers locally.
    const targets = [
      ['127.0.0.1', loopback.port],
      ['localhost', named.port],
      ['0.0.0.0', unspecified.port],
      ['169.254.10.20', loopback.port],
      ['224.0.0.251', loopback.port],
    ] as const;
    const candidates = targets
      .map(
        ([ip, port], i) =>
          `<candidate component="1" foundation="${i + 1}" generation="0" id="c${i}" ip="${ip}" network="0" port="${port}" priority="${2130706431 - i}" protocol="udp" type="host"/>`,
      )
      .join('');
    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="${MEETING}" name="cand@conference.meet.localhost" create="true">
        <endpoint id="mallory" create="true"><transport ice-controlling="true"/><capability name="source-names"/></endpoint></conference-modify>`,
    );
    await focus.iq(
      'jvb1',
      `<conference-modify ${C2} meeting-id="${MEETING}"><endpoint id="mallory"><transport>
        <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="mallory" pwd="mallory-password-0123456"><rtcp-mux/>
          <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="active">${'AB:'.repeat(31)}AB</fingerprint>
          ${candidates}
        </transport></transport></endpoint></conference-modify>`,
    );
    // ICE ran its course: with nothing to check, the endpoint expires unconnected.
    await bridge.waitForLog(
      'the endpoint to expire unconnected',
      (l) => l.msg === 'endpoint closed' && l.endpointId === 'mallory',
      10_000,
    );
    // The bridge saw every candidate and refused each one.
    const metrics = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^convene_bridge_ice_candidates_refused_total ${targets.length}$`, 'm'));
    expect({ loopback: loopback.received, named: named.received, unspecified: unspecified.received }).toEqual({
      loopback: [],
      named: [],
      unspecified: [],
    });
  });
});

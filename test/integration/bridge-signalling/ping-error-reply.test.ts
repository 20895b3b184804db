// An error reply to the bridge's XMPP ping is no dead link (issue #17 item 6). Real ejabberd without mod_ping on
// the auth host answers every ping `service-unavailable`; the bridge must stay connected (and in the brewery)
// through many pings: only a ping that goes unanswered may drop the connection.
import { xml } from '@xmpp/client';
import type { Ejabberd } from '@convene/xmpp-server';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { joinBreweryAsFocus, stanzaErrorOf, type BreweryPeer } from '../../harness/bridge-focus.js';
import { startTestEjabberd } from '../../harness/prosody.js';
import { connectClient } from '../../harness/xmpp-peer.js';
import { waitUntil } from '../../harness/wait-for.js';

const PASSWORD = 'bridge-secret';
let server: Ejabberd;
let focus: BreweryPeer;
let bridge: BridgeProcess | undefined;

beforeAll(async () => {
  server = await startTestEjabberd({
    accounts: [
      { user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD },
      { user: 'probe', host: 'auth.meet.localhost', password: 'probe-secret' },
    ],
    withoutPingOnAuthHost: true,
  });
  focus = await joinBreweryAsFocus(server);
}, 30_000);
afterAll(async () => {
  await bridge?.close();
  await focus?.peer.close();
  await server?.close();
});

describe('bridge keep-alive against a server that answers pings with an error', () => {
  it('the server really answers a ping service-unavailable', async () => {
    const probe = await connectClient({
      service: `xmpp://${server.bindAddress}:${server.ports.c2s}`,
      domain: server.layout.authDomain,
      username: 'probe',
      password: 'probe-secret',
    });
    try {
      const err = await probe
        .request(xml('iq', { type: 'get', to: server.layout.authDomain }, xml('ping', { xmlns: 'urn:xmpp:ping' })))
        .catch((e: unknown) => e);
      expect(stanzaErrorOf(err).condition).toBe('service-unavailable');
    } finally {
      await probe.close();
    }
  });

  it('keeps the bridge connected and in the brewery through many error replies', async () => {
    bridge = await BridgeProcess.start({
      prosody: server,
      password: PASSWORD,
      args: ['--xmpp-ping-interval-ms', '200'],
    });
    const b = bridge;
    await b.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
    const errorReplies = () => b.logs.filter((l) => l.msg === 'xmpp ping answered with an error: the stream is alive');
    const pingFailures = () => b.logs.filter((l) => /xmpp ping failed|xmpp connection lost/.test(String(l.msg)));
    // Each ping got its answer (an error) well inside the interval; ten of them in a row prove the point.
    await waitUntil(
      'ten pings answered with an error',
      () => errorReplies().length >= 10 || pingFailures().length > 0,
      20_000,
    );
    expect(pingFailures()).toEqual([]);
    expect(errorReplies()[0]).toMatchObject({ condition: 'service-unavailable' });
    expect(b.logs.filter((l) => l.msg === 'xmpp online')).toHaveLength(1);
  }, 40_000);
});

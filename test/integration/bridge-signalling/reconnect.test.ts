// Prosody restarts under a running bridge: the bridge logs back in and rejoins the brewery by itself.
import type { Element } from 'ltx';
import type { Prosody } from '@convene/xmpp-server';
import { parseBridgeStats } from '@convene/protocol/jitsi';
import { startTestProsody } from '../../harness/prosody.js';
import { BridgeProcess } from '../../harness/bridge-process.js';
import { NS_COLIBRI, joinBreweryAsFocus, type BreweryPeer } from '../../harness/bridge-focus.js';
import { waitUntil } from '../../harness/wait-for.js';

const PASSWORD = 'bridge-pass-rc';
const ACCOUNTS = [{ user: 'jvb', host: 'auth.meet.localhost', password: PASSWORD }];

let prosody: Prosody;
let focus: BreweryPeer | undefined;
let bridge: BridgeProcess;

// Each test starts its own Prosody and bridge: neither depends on what the other left behind.
afterEach(async () => {
  await bridge?.close();
  await focus?.peer.close();
  focus = undefined;
  await prosody?.close();
});

const statsPresence = (occupant: string) => (p: Element) =>
  p.is('presence') && p.attrs.from === occupant && p.getChild('stats', NS_COLIBRI) !== undefined;

describe('bridge reconnect (real Prosody restarted)', () => {
  it('is back in the brewery after Prosody comes back, without help', async () => {
    prosody = await startTestProsody({ accounts: ACCOUNTS });
    bridge = await BridgeProcess.start({ prosody, password: PASSWORD });
    focus = await joinBreweryAsFocus(prosody);
    const occupant = `${prosody.layout.breweryRoom}/jvb1`;
    await focus.peer.waitFor('bridge stats before restart', statsPresence(occupant), 10_000);

    const { ports, focusSecret } = prosody;
    await focus.peer.close();
    focus = undefined;
    await prosody.close();
    await bridge.waitForLog('connection lost', (l) => l.msg === 'xmpp connection lost');
    expect(await (await fetch(`${bridge.httpUrl}/about/health`)).text()).toBe('not in the brewery');

    prosody = await startTestProsody({
      accounts: ACCOUNTS,
      c2sPort: ports.c2s,
      componentPort: ports.component,
      httpPort: ports.http,
      focusSecret,
    });
    focus = await joinBreweryAsFocus(prosody);
    const seen = await focus.peer.waitFor('bridge stats after restart', statsPresence(occupant), 10_000);
    expect(parseBridgeStats(seen.getChild('stats', NS_COLIBRI)!).drain).toBe('false');
    await waitUntil('healthy again', async () => (await fetch(`${bridge.httpUrl}/about/health`)).status === 200);
    const m = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
    expect(m).toMatch(/^convene_bridge_xmpp_disconnects_total 1$/m);
    expect(bridge.child.exitCode).toBeNull();
  });

  it('drops a connection whose server stopped answering (no TCP close) and rejoins when it answers again', async () => {
    prosody = await startTestProsody({ accounts: ACCOUNTS });
    bridge = await BridgeProcess.start({ prosody, password: PASSWORD, args: ['--xmpp-ping-interval-ms', '500'] });
    await bridge.waitForLog('brewery join', (l) => l.msg === 'joined the brewery');
    const pid = prosody.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await bridge.waitForLog('ping failure', (l) => l.msg === 'xmpp ping failed: dropping the connection', 10_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const joins = () => bridge.logs.filter((l) => l.msg === 'joined the brewery').length;
    await waitUntil('rejoined the brewery', () => joins() >= 2, 20_000);
    await waitUntil('healthy again', async () => (await fetch(`${bridge.httpUrl}/about/health`)).status === 200);
  });
});

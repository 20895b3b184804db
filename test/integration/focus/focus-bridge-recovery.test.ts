// A conference that found no bridge is invited as soon as a bridge can take it again (issue #13 item 2): when the
// only bridge's failure window ends, and when the only bridge the health checks failed passes one.
import { ColibriPeer } from '../../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

/** The number of "no bridge available" warnings of this room so far. */
function waits(stack: FocusStack, room: string): number {
  return stack.focus.lines.filter((l) => l.includes('"no bridge available"') && l.includes(room)).length;
}

describe.each<[string, Record<string, string>]>([
  ['the only bridge’s failure window ends', { CONVENE_FOCUS_BRIDGE_FAILURE_RESET_MS: '2000' }],
  // The default window (a minute) is far beyond every deadline here: only the passed check can start the call.
  ['the only bridge passes a health check again', { CONVENE_FOCUS_HEALTH_CHECK_INTERVAL_MS: '1000' }],
])('focus: a conference waiting for a bridge is invited when %s', (what, env) => {
  let stack: FocusStack;
  let bridge: ColibriPeer;

  beforeAll(async () => {
    stack = await startFocusStack('component', env);
    bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'only');
    await waitForBridges(stack.focusHttp, 1);
  });
  afterAll(async () => {
    await bridge?.close();
    await stack?.close();
  });

  it(`invites everyone on it, unprompted, when ${what}`, async () => {
    const room = 'waiting@conference.meet.localhost';
    const [a, b] = await Promise.all(['wait000a', 'wait000b'].map((n) => stack.participant(n)));
    await a!.requestConference(room);
    await a!.join(room);
    if (env.CONVENE_FOCUS_BRIDGE_FAILURE_RESET_MS !== undefined) {
      // The first allocation fails as a bridge fault: the only bridge is out for the window.
      bridge.failNext = 'internal-server-error';
    } else {
      bridge.healthError = 'internal-server-error';
      await stack.focus.logLine('bridge unhealthy; moving its conferences', 10_000);
    }
    await b!.join(room);
    await waitUntil('the room to wait for a bridge', () => waits(stack, room) > 0, 10_000);
    bridge.healthError = undefined;
    // Nothing happens in the room or the brewery any more: only the bridge coming back can start the call.
    const [initA, initB] = await Promise.all([
      a!.nextJingle('session-initiate', 0, 15_000),
      b!.nextJingle('session-initiate', 0, 15_000),
    ]);
    expect(initA.jingle.contents[0]?.transport?.ufrag).toBe(bridge.ufragFor('wait000a'));
    expect(initB.jingle.contents[0]?.transport?.ufrag).toBe(bridge.ufragFor('wait000b'));
    expect(await stack.focus.logLine('bridge operational again')).toMatchObject({ bridge: 'only' });
  });
});

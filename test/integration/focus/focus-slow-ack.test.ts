// A participant that is slow to acknowledge its session-initiate (a frozen tab, a slow phone) must not hold up
// the rest of its room: the focus's per-room queue does not wait up to 15 s for that ack (issue #14 item 4).
import { ColibriPeer } from '../../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';

let stack: FocusStack;
let bridge: ColibriPeer;

beforeAll(async () => {
  stack = await startFocusStack('component');
  bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
  await waitForBridges(stack.focusHttp, 1);
});
afterAll(async () => {
  await stack?.closeParticipants();
  await bridge?.close();
  await stack?.close();
});

describe('focus: a participant slow to acknowledge', () => {
  it("does not hold up the others' invitations while its ack is pending", async () => {
    const room = 'slow-ack@conference.meet.localhost';
    const [slow, fast] = await Promise.all(['s10w0000', 'fa570000'].map((n) => stack.participant(n)));
    let release = (): void => undefined;
    slow!.holdJingleAcks = new Promise<void>((r) => (release = r));
    try {
      await slow!.requestConference(room);
      await slow!.join(room);
      await fast!.join(room);
      // Invitations go in join order: the slow one's first, then this one, which must not wait for the slow ack.
      await slow!.nextJingle('session-initiate', 0, 10_000);
      await fast!.nextJingle('session-initiate', 0, 10_000);
      expect(stack.focus.lines.some((l) => l.includes('session-initiate not acknowledged in time'))).toBe(false);
    } finally {
      release();
    }
  }, 40_000);
});

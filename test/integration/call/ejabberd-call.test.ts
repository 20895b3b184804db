// A call through Debian's ejabberd in place of Prosody (issue #17 item 7): the focus as a component, bridges in a
// members-only brewery, participants with real ICE/DTLS/SRTP media (RawMediaPeer). ejabberd sends every occupant the
// room's own presence from the bare room address (item 5): nobody may take it for a participant.
import { BridgeProcess } from '../../harness/bridge-process.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { RawCallParticipant } from '../../harness/raw-call-participant.js';
import { waitUntil } from '../../harness/wait-for.js';

let stack: FocusStack;
let bridge: BridgeProcess;
const people: RawCallParticipant[] = [];

beforeAll(async () => {
  stack = await startFocusStack(
    'component',
    { CONVENE_FOCUS_HEALTH_CHECK_INTERVAL_MS: '1000', CONVENE_FOCUS_HEALTH_CHECK_TIMEOUT_MS: '2000' },
    { server: 'ejabberd' },
  );
  bridge = await BridgeProcess.start({ prosody: stack.prosody, password: BRIDGE_PASSWORD, bridgeId: 'jvb1' });
  await waitForBridges(stack.focusHttp, 1);
}, 60_000);
afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  await bridge?.close();
  await stack?.close();
});

/** Everyone in `senders` sends until every receiver has `atLeast` more packets from every other sender than now. */
async function everyoneHears(receivers: RawCallParticipant[], senders: RawCallParticipant[], what: string) {
  const before = new Map(receivers.map((rx) => [rx, senders.map((tx) => rx.receivedFrom(tx))]));
  await waitUntil(
    what,
    () => {
      for (const tx of senders) tx.send();
      return receivers.every((rx) =>
        senders.every((tx, i) => tx === rx || rx.receivedFrom(tx) >= (before.get(rx)?.[i] ?? 0) + 3),
      );
    },
    15_000,
    20,
  );
}

describe('a call through ejabberd', () => {
  it('carries media among three, then four, survives a leave, and moves to a second bridge when the first dies', async () => {
    const room = 'ejabberd-call@conference.meet.localhost';
    const [a, b, c] = [
      await RawCallParticipant.join(stack.prosody, 'ea01ea01', room, 10_000),
      await RawCallParticipant.join(stack.prosody, 'eb02eb02', room, 20_000),
      await RawCallParticipant.join(stack.prosody, 'ec03ec03', room, 30_000),
    ] as [RawCallParticipant, RawCallParticipant, RawCallParticipant];
    people.push(a, b, c);
    await Promise.all([a, b, c].map((p) => p.answer()));
    await Promise.all([a, b, c].map((p) => p.connected()));
    await everyoneHears([a, b, c], [a, b, c], 'each of three to receive the other two');

    // The room's own presence made no member: the bridge has exactly the three endpoints.
    const endpoints = () => bridge.logs.filter((l) => l.msg === 'endpoint created').map((l) => l.endpointId);
    expect(new Set(endpoints())).toEqual(new Set(['ea01ea01', 'eb02eb02', 'ec03ec03']));

    const d = await RawCallParticipant.join(stack.prosody, 'ed04ed04', room, 40_000);
    people.push(d);
    await d.answer();
    await d.connected();
    await everyoneHears([a, b, c, d], [a, b, c, d], 'each of four to receive the other three');

    // b leaves: its endpoint goes, and the other three still hear each other.
    b.closeMedia();
    await b.signalling.leave();
    await bridge.waitForLog(
      'b expired',
      (l) => l.endpointId === 'eb02eb02' && /expired|removed|closed/.test(String(l.msg)),
    );
    await everyoneHears([a, c, d], [a, c, d], 'the three left to keep hearing each other');

    // A second bridge joins; the first is killed: the focus moves everyone, and media flows through the second.
    const spare = await BridgeProcess.start({ prosody: stack.prosody, password: BRIDGE_PASSWORD, bridgeId: 'jvb2' });
    try {
      await waitForBridges(stack.focusHttp, 2);
      bridge.child.kill('SIGKILL');
      await Promise.all([a, c, d].map((p) => p.answer(20_000)));
      await Promise.all([a, c, d].map((p) => p.connected()));
      await everyoneHears([a, c, d], [a, c, d], 'media through jvb2');
      expect(spare.logs.some((l) => l.endpointId === 'ea01ea01')).toBe(true);
    } finally {
      await spare.close();
    }
  }, 90_000);
});

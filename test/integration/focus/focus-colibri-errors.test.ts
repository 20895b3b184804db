// Colibri2 errors from the bridge (PROTOCOL.md §5.6, focus/src/colibri/colibri-error.ts): a condition that means
// "the bridge is in trouble" moves the conference to another bridge; bad-request keeps it.
import { ColibriPeer } from '../../harness/colibri-peer.js';
import {
  BRIDGE_PASSWORD,
  sendJingle,
  sourceJingle,
  startCall,
  startFocusStack,
  type FocusStack,
} from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import { waitUntil } from '../../harness/wait-for.js';

describe.each(['component', 'client'] as const)('focus connected as %s', (mode) => {
  let stack: FocusStack;
  const bridges: ColibriPeer[] = [];

  beforeAll(async () => {
    stack = await startFocusStack(mode);
  });
  afterEach(async () => {
    await stack.closeParticipants();
    // A failed bridge stays out of selection for a minute: every test gets fresh ones.
    await Promise.all(bridges.splice(0).map((b) => b.close()));
    await waitForBridges(stack.focusHttp, 0);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A preferred bridge (least stress) and a spare one. */
  async function twoBridges(tag: string): Promise<[ColibriPeer, ColibriPeer]> {
    const primary = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, `${tag}-primary`, { stress_level: '0' });
    bridges.push(primary);
    const spare = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, `${tag}-spare`, { stress_level: '0.5' });
    bridges.push(spare);
    await waitForBridges(stack.focusHttp, 2);
    return [primary, spare];
  }

  describe('focus: Colibri2 errors', () => {
    it('moves the call to another bridge when a mid-call update fails with internal-server-error', async () => {
      const [primary, spare] = await twoBridges('upd');
      const [a, b] = await Promise.all(['fat0000a', 'fat0000b'].map((n) => stack.participant(n)));
      const call = await startCall('fatal@conference.meet.localhost', [a!, b!], 70_000);
      expect(call.inits[0]!.jingle.contents[0]?.transport?.ufrag).toBe(primary.ufragFor('fat0000a'));
      const meetingId = primary.requests.find((r) => r.name === call.room)?.meetingId;

      primary.failNext = 'internal-server-error';
      const sidA = call.inits[0]!.jingle.sid;
      expect(await sendJingle(a!, sourceJingle('source-add', sidA, 'video', 70_050, 'fat0000a-v1'))).toEqual({
        type: 'result',
      });
      await waitUntil('the failed update', () => primary.failNext === undefined);
      for (const [i, p] of [a!, b!].entries()) {
        const init = call.inits[i]!;
        const term = await p.nextJingle('session-terminate', init.index + 1);
        expect(term.jingle.sid).toBe(init.jingle.sid);
        expect(term.jingle.reason).toMatchObject({ condition: 'success', text: 'moving' });
        const again = await p.nextJingle('session-initiate', term.index + 1);
        expect(again.jingle.sid).not.toBe(init.jingle.sid);
        expect(again.jingle.contents[0]?.transport?.ufrag).toBe(spare.ufragFor(p.nick));
      }
      // The old conference is expired on the failed bridge; the new one is created on the spare, same room.
      await waitUntil('the old conference to be expired', () =>
        primary.requests.some((r) => r.meetingId === meetingId && r.expire === true),
      );
      expect(spare.requests.find((r) => r.create === true)?.name).toBe(call.room);
      // The failed bridge is out of selection: a new conference goes to the spare too.
      const [c, d] = await Promise.all(['fat0000c', 'fat0000d'].map((n) => stack.participant(n)));
      await c!.requestConference('after@conference.meet.localhost');
      await c!.join('after@conference.meet.localhost');
      await d!.join('after@conference.meet.localhost');
      const initC = await c!.nextJingle('session-initiate');
      expect(initC.jingle.contents[0]?.transport?.ufrag).toBe(spare.ufragFor('fat0000c'));
    });

    it('moves the conference to another bridge when its first allocation fails with service-unavailable', async () => {
      const [primary, spare] = await twoBridges('svc');
      const room = 'unavailable@conference.meet.localhost';
      const [a, b] = await Promise.all(['svc0000a', 'svc0000b'].map((n) => stack.participant(n)));
      await a!.requestConference(room);
      await a!.join(room);
      primary.failNext = 'service-unavailable';
      await b!.join(room);
      // The first allocation (a's, creating the conference) was refused: the conference moves to the spare.
      const initB = await b!.nextJingle('session-initiate');
      expect(initB.jingle.contents[0]?.transport?.ufrag).toBe(spare.ufragFor('svc0000b'));
      expect(primary.requests.filter((r) => r.create === true)).toHaveLength(1);
      expect(primary.endpointRequests('svc0000b')).toEqual([]);
      // a, whose own allocation failed, is invited on the spare too (not left waiting for the next joiner).
      const initA = await a!.nextJingle('session-initiate');
      expect(initA.jingle.contents[0]?.transport?.ufrag).toBe(spare.ufragFor('svc0000a'));
    });

    it('re-invites everyone on the same bridge when a mid-call update fails with a request error', async () => {
      const [primary, spare] = await twoBridges('req');
      const [a, b] = await Promise.all(['req0000a', 'req0000b'].map((n) => stack.participant(n)));
      const call = await startCall('requesterr@conference.meet.localhost', [a!, b!], 80_000);
      primary.failNext = 'item-not-found';
      const sidA = call.inits[0]!.jingle.sid;
      expect(await sendJingle(a!, sourceJingle('source-add', sidA, 'video', 80_050, 'req0000a-v1'))).toEqual({
        type: 'result',
      });
      // PROTOCOL.md §5.6: an error on a later request fails the whole session; the bridge itself is fine, so the
      // new sessions are on it again, and the bridge and the participants agree on sources from scratch.
      for (const [i, p] of [a!, b!].entries()) {
        const init = call.inits[i]!;
        const term = await p.nextJingle('session-terminate', init.index + 1);
        expect(term.jingle.reason).toMatchObject({ condition: 'success', text: 'moving' });
        const again = await p.nextJingle('session-initiate', term.index + 1);
        expect(again.jingle.contents[0]?.transport?.ufrag).toBe(primary.ufragFor(p.nick));
      }
      expect(spare.requests).toEqual([]);
    });

    it('moves a conference off a bridge that answers Colibri2 with garbage, and counts it', async () => {
      const [broken, healthy] = await twoBridges('garb');
      const room = 'garbage@conference.meet.localhost';
      broken.garbageForRoom = room;
      const a = await stack.participant('9a000001');
      const b = await stack.participant('9b000002');
      await a.requestConference(room);
      await a.join(room);
      await b.join(room);
      // Whichever allocation got the garbage, both end up offered the healthy bridge (a participant already
      // invited on the broken one is moved: session-terminate, then a new offer).
      for (const p of [a, b])
        await waitUntil(
          `${p.nick} offered the healthy bridge`,
          () =>
            p.jingles.filter((j) => j.jingle.action === 'session-initiate').at(-1)?.jingle.contents[0]?.transport
              ?.ufrag === healthy.ufragFor(p.nick),
          10_000,
        );
      expect(broken.requests.length).toBeGreaterThan(0);
      const metrics = await (await fetch(`http://127.0.0.1:${stack.focusHttp}/metrics`)).text();
      expect(metrics).toMatch(/^convene_focus_colibri_errors_total\{condition="bad-reply"\} 1$/m);
    });

    it('keeps the bridge when an allocation is refused with bad-request, and invites again later', async () => {
      const [primary, spare] = await twoBridges('bad');
      const room = 'refused@conference.meet.localhost';
      const [a, b, c] = await Promise.all(['ref0000a', 'ref0000b', 'ref0000c'].map((n) => stack.participant(n)));
      await a!.requestConference(room);
      await a!.join(room);
      primary.failNext = 'bad-request';
      await b!.join(room);
      // a's invite is abandoned; b is invited on the same bridge.
      const initB = await b!.nextJingle('session-initiate');
      expect(initB.jingle.contents[0]?.transport?.ufrag).toBe(primary.ufragFor('ref0000b'));
      expect(a!.jingles.filter((j) => j.jingle.action === 'session-initiate')).toEqual([]);
      expect(spare.requests).toEqual([]);
      // The next member brings a fresh invite for a, still on that bridge.
      await c!.join(room);
      for (const p of [a!, c!]) {
        const init = await p.nextJingle('session-initiate');
        expect(init.jingle.contents[0]?.transport?.ufrag).toBe(primary.ufragFor(p.nick));
      }
      expect(b!.jingles.filter((j) => j.jingle.action === 'session-terminate')).toEqual([]);
      expect(spare.requests).toEqual([]);
    });
  });
});

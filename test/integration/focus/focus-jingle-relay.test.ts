// Jingle from participants after session-accept (PROTOCOL.md §4.5): relayed to the others and pushed to the bridge
// with Colibri2; bad Jingle mid-call is answered with an IQ error and changes nothing, here or in another room.
import { xml } from '@xmpp/client';
import type { MediaSource } from '@convene/protocol/colibri2';
import type { Jingle } from '@convene/protocol/jingle';
import { NS_JINGLE } from '@convene/protocol/xml';
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
import type { JitsiParticipant } from '../../harness/jitsi-participant.js';
import { waitUntil } from '../../harness/wait-for.js';

const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1';

/** `ssrc@name` of every source in a Colibri2 source list. */
function bridgeSources(list: MediaSource[] | undefined): string[] {
  return (list ?? []).flatMap((ms) => ms.sources.map((s) => `${s.ssrc}@${ms.id}`)).sort();
}

/** The source-adds / source-removes `p` got, from index `after` on. */
function sourceJingles(p: JitsiParticipant, action: string, after = 0): Jingle[] {
  return p.jingles.slice(after).flatMap((j) => (j.jingle.action === action ? [j.jingle] : []));
}

describe.each(['component', 'client'] as const)('focus connected as %s', (mode) => {
  let stack: FocusStack;
  let bridge: ColibriPeer;

  beforeAll(async () => {
    stack = await startFocusStack(mode);
    bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
    await waitForBridges(stack.focusHttp, 1);
  });
  afterEach(async () => {
    await stack.closeParticipants();
  });
  afterAll(async () => {
    await bridge?.close();
    await stack?.close();
  });

  describe('focus: Jingle after session-accept', () => {
    it('relays a later source-add to every other participant and gives the bridge the full source list', async () => {
      const [a, b, c] = await Promise.all(['add0000a', 'add0000b', 'add0000c'].map((n) => stack.participant(n)));
      const call = await startCall('add@conference.meet.localhost', [a!, b!, c!], 10_000);
      const sid = call.inits[0]!.jingle.sid;
      const [markB, markC] = [b!.jingles.length, c!.jingles.length];

      const res = await sendJingle(a!, sourceJingle('source-add', sid, 'video', 10_050, 'add0000a-v1'));
      expect(res).toEqual({ type: 'result' });
      for (const other of [b!, c!]) {
        const add = await other.nextJingle('source-add', other === b ? markB : markC);
        expect(add.from).toBe(`${call.room}/focus`);
        expect(add.jingle.sid).toBe(call.inits[other === b ? 1 : 2]!.jingle.sid);
        // Only the new source, with its owner and name.
        expect([...(add.jingle.jsonSources?.keys() ?? [])]).toEqual(['add0000a']);
        const set = add.jingle.jsonSources?.get('add0000a' as never);
        expect(set?.video.sources.map((s) => [s.ssrc, s.name])).toEqual([[10_050, 'add0000a-v1']]);
        expect(set?.audio.sources).toEqual([]);
      }
      // a is not told about its own source.
      expect(sourceJingles(a!, 'source-add').some((j) => j.jsonSources?.has('add0000a' as never))).toBe(false);
      // The bridge gets a's whole list: the accepted audio and video plus the new one.
      await waitUntil('the bridge to learn the new source', () =>
        bridge.endpointRequests('add0000a').some((e) => bridgeSources(e.sources).includes('10050@add0000a-v1')),
      );
      const update = bridge
        .endpointRequests('add0000a')
        .find((e) => bridgeSources(e.sources).includes('10050@add0000a-v1'));
      expect(bridgeSources(update?.sources)).toEqual(['10001@add0000a-a0', '10002@add0000a-v0', '10050@add0000a-v1']);
      expect(update?.create).toBeUndefined();
      // The others' endpoints are not touched by a's change.
      expect(
        bridge.endpointRequests('add0000b').some((e) => bridgeSources(e.sources).includes('10050@add0000a-v1')),
      ).toBe(false);
    });

    it('relays a source-remove to the others and drops the source from the bridge', async () => {
      const [a, b] = await Promise.all(['rem0000a', 'rem0000b'].map((n) => stack.participant(n)));
      const call = await startCall('remove@conference.meet.localhost', [a!, b!], 20_000);
      const mark = b!.jingles.length;
      const before = bridge.endpointRequests('rem0000a').length;

      const res = await sendJingle(
        a!,
        sourceJingle('source-remove', call.inits[0]!.jingle.sid, 'video', 20_002, 'rem0000a-v0'),
      );
      expect(res).toEqual({ type: 'result' });
      const removed = await b!.nextJingle('source-remove', mark);
      expect(removed.jingle.sid).toBe(call.inits[1]!.jingle.sid);
      expect([...(removed.jingle.jsonSources?.keys() ?? [])]).toEqual(['rem0000a']);
      const set = removed.jingle.jsonSources?.get('rem0000a' as never);
      expect(set?.video.sources.map((s) => [s.ssrc, s.name])).toEqual([[20_002, 'rem0000a-v0']]);
      expect(set?.audio.sources).toEqual([]);
      // The bridge is given the list without it: audio only.
      const update = await waitUntil('the bridge update', () =>
        bridge
          .endpointRequests('rem0000a')
          .slice(before)
          .find((e) => e.sources !== undefined),
      );
      expect(bridgeSources(update.sources)).toEqual(['20001@rem0000a-a0']);

      // Removing it again (or re-adding a known source) changes nothing: nobody is told anything.
      const after = b!.jingles.length;
      await sendJingle(a!, sourceJingle('source-remove', call.inits[0]!.jingle.sid, 'video', 20_002, 'rem0000a-v0'));
      await sendJingle(a!, sourceJingle('source-add', call.inits[0]!.jingle.sid, 'audio', 20_001, 'rem0000a-a0'));
      // A real change after them arrives alone, so the empty ones would have come first.
      await sendJingle(a!, sourceJingle('source-add', call.inits[0]!.jingle.sid, 'video', 20_003, 'rem0000a-v2'));
      const next = await b!.nextJingle('source-add', after);
      expect(b!.jingles.slice(after, next.index)).toEqual([]);
      expect(next.jingle.jsonSources?.get('rem0000a' as never)?.video.sources.map((x) => x.ssrc)).toEqual([20_003]);
    });

    it('pushes the candidates of a transport-info to the bridge as a Colibri2 transport update', async () => {
      const [a, b] = await Promise.all(['tra0000a', 'tra0000b'].map((n) => stack.participant(n)));
      const call = await startCall('trickle@conference.meet.localhost', [a!, b!], 30_000);
      const before = bridge.endpointRequests('tra0000a').length;
      const markB = b!.jingles.length;
      const res = await sendJingle(a!, {
        action: 'transport-info',
        sid: call.inits[0]!.jingle.sid,
        groups: [],
        // Content names are mids in a transport-info (PROTOCOL.md §4.5).
        contents: [
          {
            name: '0',
            creator: 'responder',
            transport: {
              ufrag: 'utra0000a',
              pwd: 'x'.repeat(24),
              rtcpMux: true,
              fingerprints: [{ hash: 'sha-256', setup: 'active', value: 'CD:'.repeat(31) + 'CD' }],
              candidates: [
                {
                  component: 1,
                  foundation: '42',
                  generation: 0,
                  id: 'cand1',
                  ip: '192.0.2.7',
                  network: 1,
                  port: 50_123,
                  priority: 2_122_260_223,
                  protocol: 'udp',
                  type: 'host',
                },
              ],
              webSockets: [],
            },
          },
        ],
      });
      expect(res).toEqual({ type: 'result' });
      const update = await waitUntil('a transport update for a', () =>
        bridge
          .endpointRequests('tra0000a')
          .slice(before)
          .find((e) => e.transport?.ice !== undefined),
      );
      expect(update.transport?.ice).toMatchObject({ ufrag: 'utra0000a', pwd: 'x'.repeat(24) });
      expect(update.transport?.ice?.candidates.map((c) => [c.ip, c.port, c.type])).toEqual([
        ['192.0.2.7', 50_123, 'host'],
      ]);
      expect(update.sources).toBeUndefined();
      // Nothing of it for b: its endpoint is not updated and it gets no Jingle.
      expect(bridge.endpointRequests('tra0000b').some((e) => e.transport?.ice?.ufrag === 'utra0000a')).toBe(false);
      expect(b!.jingles.length).toBe(markB);
    });

    it('answers bad Jingle with an IQ error, keeps the call going and leaves another room alone', async () => {
      const [a, b, c, d] = await Promise.all(
        ['bad0000a', 'bad0000b', 'oth0000c', 'oth0000d'].map((n) => stack.participant(n)),
      );
      const one = await startCall('bad@conference.meet.localhost', [a!, b!], 40_000);
      const two = await startCall('other@conference.meet.localhost', [c!, d!], 50_000);
      const twoMeeting = bridge.requests.find((r) => r.name === two.room)?.meetingId;
      expect(twoMeeting).toBeDefined();
      const twoRequests = () => bridge.requests.filter((r) => r.meetingId === twoMeeting).length;
      const [markC, markD, markTwo] = [c!.jingles.length, d!.jingles.length, twoRequests()];
      const sidA = one.inits[0]!.jingle.sid;
      const sidB = one.inits[1]!.jingle.sid;
      let ssrc = 40_100;
      /** A legit source-add from a after each bad one: acked, relayed to b, pushed to the bridge. */
      const stillWorks = async () => {
        const mark = b!.jingles.length;
        const name = `bad0000a-v${ssrc}`;
        expect(await sendJingle(a!, sourceJingle('source-add', sidA, 'video', ++ssrc, name))).toEqual({
          type: 'result',
        });
        const add = await b!.nextJingle('source-add', mark);
        expect(add.jingle.jsonSources?.get('bad0000a' as never)?.video.sources.map((s) => s.ssrc)).toEqual([ssrc]);
        await waitUntil('the bridge to get the source', () =>
          bridge.endpointRequests('bad0000a').some((e) => bridgeSources(e.sources).includes(`${ssrc}@${name}`)),
        );
      };

      // An unknown sid: item-not-found with <unknown-session/>.
      expect(await sendJingle(a!, sourceJingle('source-add', 'no-such-sid', 'audio', 40_900, 'bad0000a-a9'))).toEqual({
        type: 'error',
        condition: 'item-not-found',
        application: `${NS_JINGLE_ERRORS}:unknown-session`,
      });
      await stillWorks();
      // a uses b's sid (the wrong sender for that session): the same answer, and b's sources are untouched.
      const wrongSender = await sendJingle(a!, sourceJingle('source-remove', sidB, 'audio', 41_001, 'bad0000b-a0'));
      expect(wrongSender).toEqual({
        type: 'error',
        condition: 'item-not-found',
        application: `${NS_JINGLE_ERRORS}:unknown-session`,
      });
      await stillWorks();
      expect(sourceJingles(a!, 'source-remove')).toEqual([]);
      // Unparsable: no sid; an action Jingle does not have; a source without an ssrc.
      for (const jingle of [
        xml('jingle', { xmlns: NS_JINGLE, action: 'source-add' }),
        xml('jingle', { xmlns: NS_JINGLE, action: 'no-such-action', sid: sidA }),
        xml(
          'jingle',
          { xmlns: NS_JINGLE, action: 'source-add', sid: sidA },
          xml(
            'content',
            { name: 'audio', creator: 'responder' },
            xml(
              'description',
              { xmlns: 'urn:xmpp:jingle:apps:rtp:1', media: 'audio' },
              xml('source', { xmlns: 'urn:xmpp:jingle:apps:rtp:ssma:0', name: 'bad0000a-a5' }),
            ),
          ),
        ),
      ]) {
        expect(await sendJingle(a!, jingle)).toMatchObject({ type: 'error', condition: 'bad-request' });
        await stillWorks();
      }
      // Actions the focus does not take from a participant.
      for (const action of ['content-add', 'session-initiate', 'transport-replace'] as const) {
        expect(await sendJingle(a!, { action, sid: sidA, contents: [], groups: [] })).toMatchObject({
          type: 'error',
          condition: 'feature-not-implemented',
        });
        await stillWorks();
      }
      // Nobody's session ended; the other room saw nothing: no Jingle, no Colibri2 for its conference.
      for (const p of [a!, b!, c!, d!]) expect(sourceJingles(p, 'session-terminate')).toEqual([]);
      expect(c!.jingles.length).toBe(markC);
      expect(d!.jingles.length).toBe(markD);
      expect(twoRequests()).toBe(markTwo);
    });
  });
});

// Convene's own Prosody modules (xmpp-server/prosody-plugins/) on the real Prosody 0.12, with the real focus:
// the room's meeting id in disco#info is the one the focus uses (issue #17 item 3), and a full room refuses one more.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { ColibriPeer } from '../../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import type { JitsiParticipant } from '../../harness/jitsi-participant.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let stack: FocusStack;
let bridge: ColibriPeer;

beforeAll(async () => {
  stack = await startFocusStack('component', {}, { maxOccupants: 2 });
  bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1');
  await waitForBridges(stack.focusHttp, 1);
}, 30_000);
afterEach(async () => {
  await stack.closeParticipants();
});
afterAll(async () => {
  await bridge?.close();
  await stack?.close();
});

/** The room's disco#info extended form (XEP-0128) field, as lib-jitsi-meet reads it. */
async function roomInfoField(p: JitsiParticipant, room: string, field: string): Promise<string | undefined> {
  const info = await p.peer.request(
    xml('iq', { type: 'get', to: room }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })),
  );
  const form = info.getChild('query')?.getChildren('x', 'jabber:x:data') ?? [];
  const f = form.flatMap((x: Element) => x.getChildren('field')).find((e: Element) => e.attrs.var === field);
  return f?.getChildText('value') ?? undefined;
}

describe('Convene’s Prosody modules', () => {
  it('gives each room one meeting id: the focus’s, in disco#info for the clients', async () => {
    const rooms = ['meeting-one@conference.meet.localhost', 'meeting-two@conference.meet.localhost'];
    const ids: string[] = [];
    for (const [i, room] of rooms.entries()) {
      const p = await stack.participant(`mid0000${i}`);
      await p.requestConference(room);
      await p.join(room);
      const seen = await roomInfoField(p, room, 'muc#roominfo_meetingId');
      expect(seen).toMatch(UUID);
      const joined = await stack.focus.logLine('room joined', 10_000, { room });
      expect(joined.meetingId).toBe(seen);
      ids.push(seen ?? '');
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses one occupant more than the limit with service-unavailable, the focus not counted', async () => {
    const room = 'full@conference.meet.localhost';
    const [a, b, c] = await Promise.all(['full000a', 'full000b', 'full000c'].map((n) => stack.participant(n)));
    await a!.requestConference(room);
    await a!.join(room);
    await b!.join(room);
    await c!.join(room);
    const refused = c!.peer.received.find((s) => s.is('presence') && s.attrs.from === `${room}/full000c`);
    expect(refused?.attrs.type).toBe('error');
    expect(refused?.getChild('error')?.getChild('service-unavailable')).toBeDefined();
    // b leaves: there is room for c again.
    await b!.leave();
    await b!.peer.waitFor('b out', (s) => s.attrs.from === `${room}/full000b` && s.attrs.type === 'unavailable');
    c!.peer.received.length = 0;
    await c!.join(room);
    const admitted = c!.peer.received.find((s) => s.is('presence') && s.attrs.from === `${room}/full000c`);
    expect(admitted?.attrs.type).toBeUndefined();
  });
});

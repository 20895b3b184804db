// Focus edges through a real Prosody: no bridge yet (health, bridgeNotAvailable, invites once one comes),
// min-participants, a kicked member (PROTOCOL.md §3.3), leaving an emptied room, and /stats and /metrics moving.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { NS_FOCUS } from '@convene/protocol/xml';
import { ColibriPeer } from '../../harness/colibri-peer.js';
import {
  BRIDGE_PASSWORD,
  focusStats,
  sendJingle,
  sourceJingle,
  focusStackSuite,
  startCall,
} from '../../harness/focus-stack.js';
import { waitForBridges } from '../../harness/focus-stats.js';
import type { JitsiParticipant } from '../../harness/jitsi-participant.js';
import { waitUntil } from '../../harness/wait-for.js';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';

/** Samples of the focus's /metrics by name. */
async function metrics(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** The latest presence of the focus in `p`'s room. */
function focusPresence(p: JitsiParticipant): Element | undefined {
  return p.peer.received.filter((s) => s.is('presence') && s.attrs.from === `${p.room}/focus`).at(-1);
}

/** disco#info on a room from a connected participant: `result`, or the error condition. */
async function discoRoom(p: JitsiParticipant, room: string): Promise<string> {
  try {
    await p.peer.request(
      xml('iq', { type: 'get', to: room, id: `d${Date.now()}` }, xml('query', { xmlns: NS_DISCO_INFO })),
    );
    return 'result';
  } catch (err) {
    const condition = (err as { condition?: string }).condition;
    if (condition === undefined) throw err;
    return condition;
  }
}

describe.each(['component', 'client'] as const)('focus connected as %s', (mode) => {
  const suite = focusStackSuite(mode);

  describe('focus: no bridge', () => {
    it('is unhealthy without a bridge (as Jicofo), tells the room none is available, and invites once one joins', async () => {
      const port = suite.stack.focusHttp;
      const health = await fetch(`http://127.0.0.1:${port}/about/health`);
      expect(health.status).toBe(503);
      expect(await health.text()).toBe('No operational bridges available (total bridge count: 0)');
      expect(await focusStats(port)).toMatchObject({
        healthy: false,
        bridge_selector: { bridge_count: 0, operational_bridge_count: 0 },
      });
      expect((await metrics(port)).get('convene_focus_bridges')).toBe(0);
      expect((await metrics(port)).get('convene_focus_xmpp_connected')).toBe(1);

      const room = 'nobridge@conference.meet.localhost';
      const [a, b] = await Promise.all(['nob0000a', 'nob0000b'].map((n) => suite.stack.participant(n)));
      expect(await a!.requestConference(room)).toMatchObject({ ready: true });
      await a!.join(room);
      await b!.join(room);
      await waitUntil('bridgeNotAvailable in the focus presence', () =>
        focusPresence(a!)?.getChild('bridgeNotAvailable', NS_FOCUS),
      );
      expect(a!.jingles).toEqual([]);
      expect(b!.jingles).toEqual([]);

      const late = await ColibriPeer.start(suite.stack.prosody, BRIDGE_PASSWORD, 'jvb-late');
      try {
        for (const p of [a!, b!]) {
          const init = await p.nextJingle('session-initiate');
          expect(init.jingle.contents[0]?.transport?.ufrag).toBe(late.ufragFor(p.nick));
        }
        await waitUntil(
          'the focus presence to drop bridgeNotAvailable',
          () => focusPresence(a!)?.getChild('bridgeNotAvailable', NS_FOCUS) === undefined,
        );
        expect((await metrics(port)).get('convene_focus_bridges')).toBe(1);
        expect(await focusStats(port)).toMatchObject({
          bridge_selector: { bridge_count: 1, operational_bridge_count: 1 },
        });
        expect((await fetch(`http://127.0.0.1:${port}/about/health`)).status).toBe(200);
      } finally {
        await late.close();
      }
      await waitForBridges(port, 0);
    });
  });

  describe('focus: with a bridge', () => {
    let bridge: ColibriPeer;
    beforeAll(async () => {
      bridge = await ColibriPeer.start(suite.stack.prosody, BRIDGE_PASSWORD, 'jvb1');
      await waitForBridges(suite.stack.focusHttp, 1);
    });
    afterAll(async () => {
      await bridge?.close();
    });

    it('invites nobody while one member is alone; the second member brings both sessions', async () => {
      const room = 'minimum@conference.meet.localhost';
      const [a, b] = await Promise.all(['min0000a', 'min0000b'].map((n) => suite.stack.participant(n)));
      await a!.requestConference(room);
      await a!.join(room);
      // The focus says when it holds invitations back: by then it has decided not to invite a alone.
      await a!.peer.waitFor('owner', (s) => isOwnPresence(s, a!, 'owner'));
      await suite.stack.focus.logLine('invites wait for more members', 10_000, { room });
      expect(a!.jingles).toEqual([]);
      expect(bridge.requests.some((r) => r.name === room)).toBe(false);

      await b!.join(room);
      const initA = await a!.nextJingle('session-initiate');
      const initB = await b!.nextJingle('session-initiate');
      expect(initA.index).toBe(0);
      expect(initB.jingle.sid).not.toBe(initA.jingle.sid);
      expect(bridge.requests.filter((r) => r.name === room && r.create === true)).toHaveLength(1);
    });

    it('treats a kicked member as a leaver: endpoint expired, no source-remove to the others', async () => {
      const [a, b, c] = await Promise.all(['kic0000a', 'kic0000b', 'kic0000c'].map((n) => suite.stack.participant(n)));
      const call = await startCall('kick@conference.meet.localhost', [a!, b!, c!], 60_000);
      // The focus made a, the first member, owner (moderator): a may kick.
      await a!.peer.waitFor('owner', (s) => isOwnPresence(s, a!, 'owner'));
      const kick = await a!.peer.request(
        xml(
          'iq',
          { type: 'set', to: call.room, id: 'kick1' },
          xml('query', { xmlns: NS_MUC_ADMIN }, xml('item', { nick: 'kic0000b', role: 'none' })),
        ),
      );
      expect(kick.attrs.type).toBe('result');
      const gone = await b!.peer.waitFor('kicked', (s) => s.is('presence') && s.attrs.type === 'unavailable');
      const codes = gone
        .getChild('x', NS_MUC_USER)
        ?.getChildren('status')
        .map((st) => st.attrs.code as string);
      expect(codes).toContain('307');
      await waitUntil('b expired on the bridge', () =>
        bridge.endpointRequests('kic0000b').some((e) => e.expire === true),
      );
      // c's later source-add reaches a after anything the kick made the focus send a: so none was a source-remove.
      const mark = a!.jingles.length;
      const sidC = call.inits[2]!.jingle.sid;
      expect(await sendJingle(c!, sourceJingle('source-add', sidC, 'video', 62_050, 'kic0000c-v1'))).toEqual({
        type: 'result',
      });
      await a!.nextJingle('source-add', mark);
      for (const p of [a!, c!]) {
        expect(p.jingles.filter((j) => j.jingle.action === 'source-remove')).toEqual([]);
        expect(p.jingles.filter((j) => j.jingle.action === 'session-terminate')).toEqual([]);
      }
      // a and c keep their endpoints.
      expect(bridge.endpointRequests('kic0000a').some((e) => e.expire === true)).toBe(false);
      expect(bridge.endpointRequests('kic0000c').some((e) => e.expire === true)).toBe(false);
    });

    it('counts conferences and participants in /stats and /metrics, and leaves the room when it empties', async () => {
      const port = suite.stack.focusHttp;
      const room = 'counted@conference.meet.localhost';
      const numbers = async () => {
        const s = await focusStats(port);
        return {
          conferences: s.conferences,
          participants: s.participants,
          largest: s.largest_conference,
          created: s.total_conferences_created as number,
          joined: s.total_participants as number,
        };
      };
      // Earlier tests' rooms end once their participants have gone.
      await waitUntil('no conference left', async () => (await focusStats(port)).conferences === 0, 15_000);
      const start = await numbers();
      expect(start).toMatchObject({ conferences: 0, participants: 0, largest: 0 });

      const [a, b, watcher] = await Promise.all(
        ['cnt0000a', 'cnt0000b', 'cnt0000w'].map((n) => suite.stack.participant(n)),
      );
      await a!.requestConference(room);
      expect(await numbers()).toEqual({ ...start, conferences: 1, created: start.created + 1 });
      await a!.join(room);
      await b!.join(room);
      await waitUntil('two participants', async () => (await numbers()).participants === 2);
      expect(await numbers()).toEqual({
        conferences: 1,
        participants: 2,
        largest: 2,
        created: start.created + 1,
        joined: start.joined + 2,
      });
      const m = await metrics(port);
      expect(m.get('convene_focus_conferences')).toBe(1);
      expect(m.get('convene_focus_participants')).toBe(2);
      expect(m.get('convene_focus_participants_total')).toBe(start.joined + 2);
      expect(await discoRoom(watcher!, room)).toBe('result');

      await b!.leave();
      await waitUntil('one participant', async () => (await numbers()).participants === 1, 15_000);
      expect(focusPresence(a!)?.attrs.type).toBeUndefined();
      await a!.leave();
      await waitUntil('the conference to end', async () => (await numbers()).conferences === 0);
      expect(await numbers()).toMatchObject({ participants: 0, largest: 0, joined: start.joined + 2 });
      // The focus left: nobody is in the room, so Prosody destroyed it.
      await waitUntil('the room to be gone', async () => (await discoRoom(watcher!, room)) === 'item-not-found');
      expect((await metrics(port)).get('convene_focus_conferences')).toBe(0);
    });
  });
});

function isOwnPresence(s: Element, p: JitsiParticipant, affiliation: string): boolean {
  if (!s.is('presence') || s.attrs.from !== `${p.room}/${p.nick}`) return false;
  return s.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs.affiliation === affiliation;
}

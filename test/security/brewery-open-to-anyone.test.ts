// Threat (issue #12, item 2): the brewery is open to anyone. Whoever gets into `jvbbrewery@internal.auth.<domain>`
// can pose as a bridge to the focus (advertise stress 0, be given conferences, receive everyone's media) or as the
// focus to the bridges (take the nick `focus`, send Colibri2). Each test performs one of these attacks against a
// real Prosody with the generated config, and real focus / bridge processes.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import type { Prosody } from '@convene/xmpp-server';
import { joinBreweryAsAccount, joinBreweryAsFocus, stanzaErrorOf, type BreweryPeer } from '../harness/bridge-focus.js';
import { BridgeProcess } from '../harness/bridge-process.js';
import { ColibriPeer } from '../harness/colibri-peer.js';
import { BRIDGE_PASSWORD, startFocusStack, type FocusStack } from '../harness/focus-stack.js';
import { startTestProsody } from '../harness/prosody.js';
import { waitUntil } from '../harness/wait-for.js';
import { connectClient, type XmppPeer } from '../harness/xmpp-peer.js';

const NS_MUC = 'http://jabber.org/protocol/muc';

/** The presence Prosody answers a join with: ours (joined) or an error (refused). */
function joinAnswer(peer: XmppPeer, occupant: string): Promise<Element> {
  return peer.waitFor(
    `join answer from ${occupant}`,
    (s) => s.is('presence') && s.attrs.from === occupant && (s.attrs.type === undefined || s.attrs.type === 'error'),
  );
}

function errorCondition(stanza: Element): string | undefined {
  return stanza.getChild('error')?.getChildElements()[0]?.getName();
}

describe('brewery open to anyone', () => {
  describe('the generated Prosody config', () => {
    let prosody: Prosody;
    const peers: XmppPeer[] = [];
    beforeAll(async () => {
      prosody = await startTestProsody({ accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: 'b-1' }] });
    });
    afterAll(async () => {
      await Promise.all(peers.map((p) => p.close()));
      await prosody?.close();
    });

    it('refuses an anonymous browser client (WebSocket) the brewery, whether it exists or not', async () => {
      const brewery = prosody.layout.breweryRoom;
      const anon = await connectClient({ service: prosody.websocketUrl, domain: prosody.layout.domain });
      peers.push(anon);
      // Nobody in the brewery yet: joining would create it.
      await anon.send(xml('presence', { to: `${brewery}/mallory` }, xml('x', { xmlns: NS_MUC })));
      const first = await joinAnswer(anon, `${brewery}/mallory`);
      expect([first.attrs.type, errorCondition(first)]).toEqual(['error', 'not-allowed']);

      // The bridge made it: joining the existing room.
      const bridge = await connectClient({
        service: `xmpp://${prosody.bindAddress}:${prosody.ports.c2s}`,
        domain: prosody.layout.authDomain,
        username: 'jvb',
        password: 'b-1',
        resource: 'jvb1',
      });
      peers.push(bridge);
      await bridge.send(xml('presence', { to: `${brewery}/jvb1` }, xml('x', { xmlns: NS_MUC })));
      expect((await joinAnswer(bridge, `${brewery}/jvb1`)).attrs.type).toBeUndefined();
      await anon.send(xml('presence', { to: `${brewery}/mallory2` }, xml('x', { xmlns: NS_MUC })));
      const second = await joinAnswer(anon, `${brewery}/mallory2`);
      expect([second.attrs.type, errorCondition(second)]).toEqual(['error', 'registration-required']);
      // And the bridge never saw it.
      expect(bridge.received.some((s) => String(s.attrs.from ?? '').startsWith(`${brewery}/mallory`))).toBe(false);
    });
  });

  // Jitsi's Prosody (deploy/jitsi) lets every auth.<domain> account into the brewery, and any Prosody may be
  // misconfigured: here mallory is let in (a brewery owner), and the focus's own check must hold.
  describe('the focus', () => {
    let stack: FocusStack;
    let rogue: ColibriPeer | undefined;
    let bridge: ColibriPeer | undefined;
    beforeAll(async () => {
      stack = await startFocusStack(
        'component',
        {},
        {
          accounts: [{ user: 'mallory', host: 'auth.meet.localhost', password: 'm-1' }],
          bridgeJids: ['jvb@auth.meet.localhost', 'mallory@auth.meet.localhost'],
        },
      );
    });
    afterAll(async () => {
      await rogue?.close();
      await bridge?.close();
      await stack?.close();
    });

    it('never selects an authenticated account that is not an allowed bridge, whatever stats it shows', async () => {
      const brewery = stack.prosody.layout.breweryRoom;
      rogue = await ColibriPeer.start(stack.prosody, 'm-1', 'jvb-rogue', { stress_level: '0' }, 'mallory');
      // Prosody sends the others our presence before our own: once the rogue sees itself, the focus has seen it.
      await rogue.peer.waitFor(
        'rogue in the brewery',
        (s) => s.is('presence') && s.attrs.from === `${brewery}/jvb-rogue`,
      );
      bridge = await ColibriPeer.start(stack.prosody, BRIDGE_PASSWORD, 'jvb1', { stress_level: '0.5' });
      const legit = bridge;
      const ids = await waitUntil('the focus to list jvb1', async () => {
        const stats = (await (await fetch(`http://127.0.0.1:${stack.focusHttp}/stats`)).json()) as {
          bridges: Array<{ id: string }>;
        };
        const seen = stats.bridges.map((b) => b.id);
        return seen.includes('jvb1') ? seen : undefined;
      });
      expect(ids).toEqual(['jvb1']);

      const alice = await stack.participant('a1a1a1a1');
      const bob = await stack.participant('b2b2b2b2');
      const room = 'secret@conference.meet.localhost';
      await alice.requestConference(room);
      await alice.join(room);
      await bob.join(room);
      await alice.nextJingle('session-initiate');
      await bob.nextJingle('session-initiate');
      expect(legit.requests.some((r) => r.create === true && r.name === room)).toBe(true);
      expect(rogue.requests).toEqual([]);
      expect(rogue.healthChecks).toBe(0);

      const metrics = await (await fetch(`http://127.0.0.1:${stack.focusHttp}/metrics`)).text();
      expect(metrics).toMatch(/^convene_focus_bridges_rejected_total 1$/m);
      const warnings = stack.focus.lines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'brewery occupant with stats is not an allowed bridge');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ realJid: 'mallory@auth.meet.localhost/jvb-rogue' });
    });
  });

  // Same setting: mallory is in the brewery, and waits for the focus to be away (a restart) to take its nick.
  describe('the bridge', () => {
    let prosody: Prosody;
    let bridge: BridgeProcess;
    const peers: BreweryPeer[] = [];
    const create = (meetingId: string) =>
      `<conference-modify xmlns="jitsi:colibri2" meeting-id="${meetingId}" name="x@conference.meet.localhost" create="true">
        <endpoint id="e1" create="true" stats-id="e1">
          <media type="audio"><payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id="111" name="opus" clockrate="48000" channels="2"/></media>
          <transport ice-controlling="true"/>
          <capability name="source-names"/>
        </endpoint>
      </conference-modify>`;
    const conferences = async () =>
      ((await (await fetch(`${bridge.httpUrl}/colibri/stats`)).json()) as { conferences: number }).conferences;

    beforeAll(async () => {
      prosody = await startTestProsody({
        accounts: [
          { user: 'jvb', host: 'auth.meet.localhost', password: 'b-2' },
          { user: 'mallory', host: 'auth.meet.localhost', password: 'm-2' },
          { user: 'focus', host: 'auth.meet.localhost', password: 'f-2' },
        ],
        bridgeJids: ['jvb@auth.meet.localhost', 'mallory@auth.meet.localhost'],
        extraAdmins: ['focus@auth.meet.localhost'],
      });
      bridge = await BridgeProcess.start({ prosody, password: 'b-2' });
      await bridge.waitForLog('bridge in the brewery', (l) => l.msg === 'joined the brewery');
    });
    afterAll(async () => {
      await Promise.all(peers.map((p) => p.peer.close()));
      await bridge?.close();
      await prosody?.close();
    });

    it('answers Colibri2 and health checks from a rogue holding the nick focus with not-authorized', async () => {
      const mallory = await joinBreweryAsAccount(prosody, { user: 'mallory', password: 'm-2' }, 'focus');
      const err = await mallory.iq('jvb1', create('evil')).catch((e: unknown) => e);
      expect(stanzaErrorOf(err)).toMatchObject({ condition: 'not-authorized', type: 'auth' });
      const hc = await mallory
        .iq('jvb1', '<healthcheck xmlns="http://jitsi.org/protocol/healthcheck"/>', 'get')
        .catch((e: unknown) => e);
      expect(stanzaErrorOf(hc).condition).toBe('not-authorized');
      expect(await conferences()).toBe(0);
      const refused = await bridge.waitForLog('iq refused', (l) => l.msg === 'iq refused');
      expect(refused).toMatchObject({ sender: 'mallory@auth.meet.localhost/' + mallory.jid.split('/')[1] });
      await mallory.peer.close();
    });

    it('still takes Colibri2 from the focus component and from a Jicofo-style focus@auth account', async () => {
      const component = await joinBreweryAsFocus(prosody);
      peers.push(component);
      expect((await component.iq('jvb1', create('ok-1'))).attrs.type).toBe('result');
      // A component's occupants outlive its stream in Prosody: leave the room before handing the nick on.
      await component.peer.send(xml('presence', { from: component.jid, to: component.occupant, type: 'unavailable' }));
      await component.peer.waitFor(
        'focus out of the brewery',
        (s) => s.is('presence') && s.attrs.from === component.occupant && s.attrs.type === 'unavailable',
      );
      const jicofo = await joinBreweryAsAccount(prosody, { user: 'focus', password: 'f-2' }, 'focus');
      peers.push(jicofo);
      expect((await jicofo.iq('jvb1', create('ok-2'))).attrs.type).toBe('result');
      expect(await conferences()).toBe(2);
    });
  });
});

// Threat (issue #12, item 2): the brewery is open to anyone. Whoever gets into `jvbbrewery@internal.auth.<domain>`
// can pose as a bridge to the focus (advertise stress 0, be given conferences, receive everyone's media) or as the
// focus to the bridges (take the nick `focus`, send Colibri2). Each test performs one of these attacks against a
// real Prosody with the generated config, and real focus / bridge processes.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import type { Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../harness/prosody.js';
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
});

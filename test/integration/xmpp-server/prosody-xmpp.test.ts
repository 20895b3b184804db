import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import type { Prosody } from '@convene/xmpp-server';
import { startTestProsody } from '../../harness/prosody.js';
import { connectClient, connectComponent, type XmppPeer } from '../../harness/xmpp-peer.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const BRIDGE_PASSWORD = 'bridge-pass-1';

let prosody: Prosody;
const peers: XmppPeer[] = [];

beforeAll(async () => {
  prosody = await startTestProsody({
    accounts: [{ user: 'jvb', host: 'auth.meet.localhost', password: BRIDGE_PASSWORD }],
  });
});
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await prosody.close();
});

const c2s = () => `xmpp://127.0.0.1:${prosody.ports.c2s}`;
const componentService = () => `xmpp://127.0.0.1:${prosody.ports.component}`;
const keep = (p: XmppPeer) => (peers.push(p), p);

function mucItem(presence: Element): Element | undefined {
  return presence.getChild('x', NS_MUC_USER)?.getChild('item');
}
function isPresenceFrom(from: string) {
  return (s: Element) => s.is('presence') && s.attrs.from === from && s.attrs.type === undefined;
}

/** The focus creates a room the way Convene's focus will: it joins first and becomes owner. */
async function focusCreatesRoom(room: string): Promise<XmppPeer> {
  const focus = keep(
    await connectComponent({
      service: componentService(),
      domain: prosody.layout.focusDomain,
      password: prosody.focusSecret,
    }),
  );
  await focus.send(
    xml('presence', { from: `${prosody.layout.focusJid}/focus`, to: `${room}/focus` }, xml('x', { xmlns: NS_MUC })),
  );
  const self = await focus.waitFor('own room presence', isPresenceFrom(`${room}/focus`));
  expect(mucItem(self)?.attrs).toMatchObject({ affiliation: 'owner', role: 'moderator' });
  return focus;
}

describe('prosody (generated config, real server)', () => {
  it('accepts the focus component with its secret and refuses a wrong secret', async () => {
    const ok = keep(
      await connectComponent({
        service: componentService(),
        domain: prosody.layout.focusDomain,
        password: prosody.focusSecret,
      }),
    );
    expect(ok.jid).toBe(prosody.layout.focusDomain);
    await expect(
      connectComponent({ service: componentService(), domain: prosody.layout.focusDomain, password: 'wrong-secret' }),
    ).rejects.toThrow(/not-authorized/);
  });

  it('logs in a registered account on the auth host and refuses a wrong password', async () => {
    const bridge = keep(
      await connectClient({
        service: c2s(),
        domain: prosody.layout.authDomain,
        username: 'jvb',
        password: BRIDGE_PASSWORD,
      }),
    );
    expect(bridge.jid).toMatch(/^jvb@auth\.meet\.localhost\//);
    await expect(
      connectClient({ service: c2s(), domain: prosody.layout.authDomain, username: 'jvb', password: 'nope' }),
    ).rejects.toThrow(/not-authorized/);
  });

  it('accepts accounts registered while running', async () => {
    prosody.register({ user: 'jvb2', host: prosody.layout.authDomain, password: 'late-pass' });
    const late = keep(
      await connectClient({
        service: c2s(),
        domain: prosody.layout.authDomain,
        username: 'jvb2',
        password: 'late-pass',
      }),
    );
    expect(late.jid).toMatch(/^jvb2@auth\.meet\.localhost\//);
  });

  it('lets anonymous clients over TCP and WebSocket meet in a focus-owned room, see real JIDs and chat', async () => {
    const room = `demo@${prosody.layout.mucDomain}`;
    const focus = await focusCreatesRoom(room);
    const alice = keep(await connectClient({ service: c2s(), domain: prosody.layout.domain }));
    const bob = keep(await connectClient({ service: prosody.websocketUrl, domain: prosody.layout.domain }));
    expect(alice.jid).toMatch(/@meet\.localhost\//);

    await alice.send(xml('presence', { to: `${room}/alice` }, xml('x', { xmlns: NS_MUC })));
    await alice.waitFor('alice self-presence', isPresenceFrom(`${room}/alice`));
    await bob.send(xml('presence', { to: `${room}/bob` }, xml('x', { xmlns: NS_MUC })));

    // whois=anyone: every occupant sees the others' real JIDs.
    const aliceSeenByBob = await bob.waitFor('alice presence', isPresenceFrom(`${room}/alice`));
    expect(mucItem(aliceSeenByBob)?.attrs.jid).toBe(alice.jid);
    const bobSeenByAlice = await alice.waitFor('bob presence', isPresenceFrom(`${room}/bob`));
    expect(mucItem(bobSeenByAlice)?.attrs.jid).toBe(bob.jid);
    expect(mucItem(bobSeenByAlice)?.attrs.role).toBe('participant');
    await focus.waitFor('bob presence at focus', isPresenceFrom(`${room}/bob`));

    await alice.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, 'hello from tcp')));
    const msg = await bob.waitFor(
      'groupchat',
      (s) => s.is('message') && s.attrs.type === 'groupchat' && s.getChildText('body') !== null,
    );
    expect(msg.attrs.from).toBe(`${room}/alice`);
    expect(msg.getChildText('body')).toBe('hello from tcp');
  });

  it('refuses room creation to anonymous clients (only the focus creates rooms)', async () => {
    const eve = keep(await connectClient({ service: c2s(), domain: prosody.layout.domain }));
    const room = `nofocus@${prosody.layout.mucDomain}`;
    await eve.send(xml('presence', { to: `${room}/eve` }, xml('x', { xmlns: NS_MUC })));
    const err = await eve.waitFor('join error', (s) => s.is('presence') && s.attrs.type === 'error');
    expect(err.getChild('error')?.getChild('not-allowed', 'urn:ietf:params:xml:ns:xmpp-stanzas')).toBeDefined();
  });

  it('lets the focus own the brewery and a bridge account join it', async () => {
    const brewery = prosody.layout.breweryRoom;
    const focus = await focusCreatesRoom(brewery);
    const bridge = keep(
      await connectClient({
        service: c2s(),
        domain: prosody.layout.authDomain,
        username: 'jvb',
        password: BRIDGE_PASSWORD,
      }),
    );
    await bridge.send(xml('presence', { to: `${brewery}/jvb1` }, xml('x', { xmlns: NS_MUC })));
    const seen = await focus.waitFor('bridge in brewery', isPresenceFrom(`${brewery}/jvb1`));
    expect(mucItem(seen)?.attrs.jid).toBe(bridge.jid);
    // The bridge account is an admin of the internal MUC host, hence owner.
    expect(mucItem(seen)?.attrs.affiliation).toBe('owner');
  });
});

// Secure domain (Jicofo's XMPP authentication, PROTOCOL.md §2 and §3.3) through a real Prosody: users log in with a
// password on meet.localhost, guests anonymously on guest.meet.localhost, and the focus runs `authentication: xmpp`.
// Only a logged-in user (or a client holding the session a login opened) creates a room; guests join rooms that
// exist and never become owner by themselves; sessions are checked, bound to the JID that presents them, and end
// with a logout.
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import { NS_FOCUS } from '@convene/protocol/xml';
import { startFocusStack, type FocusStack } from '../../harness/focus-stack.js';
import { JitsiParticipant } from '../../harness/jitsi-participant.js';

const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const GUEST_DOMAIN = 'guest.meet.localhost';
const ALICE = { username: 'alice', password: 'alice-password' };

let stack: FocusStack;
const open: JitsiParticipant[] = [];

beforeAll(async () => {
  stack = await startFocusStack(
    'component',
    { CONVENE_FOCUS_AUTHENTICATION: 'xmpp' },
    {
      guestDomain: GUEST_DOMAIN,
      accounts: [{ user: ALICE.username, host: 'meet.localhost', password: ALICE.password }],
    },
  );
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await stack?.close();
});

async function guest(nick: string): Promise<JitsiParticipant> {
  const p = await JitsiParticipant.connect(stack.prosody, nick, undefined, { domain: GUEST_DOMAIN });
  open.push(p);
  return p;
}

async function alice(nick: string): Promise<JitsiParticipant> {
  const p = await JitsiParticipant.connect(stack.prosody, nick, undefined, ALICE);
  open.push(p);
  return p;
}

function ownAffiliation(p: JitsiParticipant): (s: Element) => string | undefined {
  return (s) =>
    s.is('presence') && s.attrs.from === `${p.room}/${p.nick}`
      ? String(s.getChild('x', NS_MUC_USER)?.getChild('item')?.attrs.affiliation)
      : undefined;
}

/** The affiliation in the latest presence the participant got of itself. */
function latestAffiliation(p: JitsiParticipant): string | undefined {
  const read = ownAffiliation(p);
  return p.peer.received
    .map(read)
    .filter((a) => a !== undefined)
    .at(-1);
}

function logout(p: JitsiParticipant, sessionId: string): Promise<Element> {
  return p.peer.request(
    xml('iq', { type: 'set', to: 'focus.meet.localhost' }, xml('logout', { xmlns: NS_FOCUS, 'session-id': sessionId })),
  );
}

describe('focus with authentication: xmpp (secure domain)', () => {
  it('refuses a new room to a guest (not-authorized), and says authentication is on', async () => {
    const g = await guest('9a000001');
    expect(g.peer.jid).toContain(`@${GUEST_DOMAIN}/`);
    await expect(g.requestConference('guestroom@conference.meet.localhost')).rejects.toMatchObject({
      condition: 'not-authorized',
      type: 'auth',
    });
    const res = await fetch(`http://127.0.0.1:${stack.focusHttp}/conference-request/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: 'httproom@conference.meet.localhost', machineUid: 'm-http' }),
    });
    expect(res.status).toBe(403);
  });

  it('makes a breakout room for a logged-in user; a guest only one Prosody’s breakout module made for a live room', async () => {
    // Jicofo asks no login for breakout rooms because Prosody's muc_breakout_rooms destroys any room a moderator did
    // not make. This Prosody has no such module: a guest asking for a breakout room of no live conference would
    // otherwise get a meeting on a secure domain. The focus joins, finds no main room named, leaves, and refuses.
    const g = await guest('9a000002');
    await expect(g.requestConference('team-b1@breakout.meet.localhost')).rejects.toMatchObject({
      condition: 'not-authorized',
    });
    const a = await alice('a11ce002');
    expect(await a.requestConference('team-b2@breakout.meet.localhost', { machineUid: 'alice-tab' })).toMatchObject({
      ready: true,
    });
    // The room alice's request made exists now: the guest may join it, as any room that exists.
    expect(await g.requestConference('team-b2@breakout.meet.localhost')).toMatchObject({ ready: true });
  });

  it('lets a logged-in user create the room and own it; a guest who came first joins but is no owner', async () => {
    const a = await alice('a11ce001');
    expect(a.peer.jid).toMatch(/^alice@meet\.localhost\//);
    await expect(a.requestConference('team@conference.meet.localhost', {})).rejects.toMatchObject({
      condition: 'not-acceptable', // no machine-uid: no session can be opened
    });
    const reply = await a.requestConference('team@conference.meet.localhost', { machineUid: 'alice-laptop' });
    expect(reply).toMatchObject({ ready: true, identity: 'alice@meet.localhost' });
    expect(reply.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.properties).toMatchObject({ authentication: 'true', externalAuth: 'false' });

    // The room exists now: a guest may ask for it and join, before alice does. Without authentication the first
    // member would become owner (auto-owner); here a guest never does.
    const g = await guest('9a000002');
    const guestReply = await g.requestConference('team@conference.meet.localhost');
    expect(guestReply.ready).toBe(true);
    expect(guestReply.sessionId).toBeUndefined();
    await g.join('team@conference.meet.localhost');
    await a.join('team@conference.meet.localhost');
    await a.peer.waitFor('alice made owner', (s) => ownAffiliation(a)(s) === 'owner', 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the focus had its chance to (wrongly) promote the guest
    expect(latestAffiliation(g)).not.toBe('owner');
  });

  it('checks sessions: unknown (session-invalid), other machine (not-acceptable); the right one authenticates', async () => {
    const a = await alice('a11ce002');
    const { sessionId } = await a.requestConference('checks@conference.meet.localhost', { machineUid: 'alice-phone' });
    const g = await guest('9a000003');
    const err: unknown = await g
      .requestConference('elsewhere@conference.meet.localhost', { machineUid: 'alice-phone', sessionId: 'nope' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ condition: 'not-acceptable' });
    expect((err as { element?: Element }).element?.getChild('session-invalid', NS_FOCUS)).toBeDefined();
    await expect(
      g.requestConference('elsewhere@conference.meet.localhost', { machineUid: 'another-machine', sessionId }),
    ).rejects.toMatchObject({ condition: 'not-acceptable' });

    // lib-jitsi-meet's login: the session opened on the password connection, presented from the guest connection,
    // makes that connection the authenticated one: it may create rooms, and it is made owner in the room.
    const r = await g.requestConference('elsewhere@conference.meet.localhost', {
      machineUid: 'alice-phone',
      sessionId,
    });
    expect(r).toMatchObject({ ready: true, sessionId, identity: 'alice@meet.localhost' });
    await g.join('elsewhere@conference.meet.localhost');
    await g.peer.waitFor('guest with the session made owner', (s) => ownAffiliation(g)(s) === 'owner', 10_000);

    // Over HTTP too: the session (with its machine) opens a room, a stale one is a 400 naming invalid-session.
    const post = (body: object) =>
      fetch(`http://127.0.0.1:${stack.focusHttp}/conference-request/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({ room: 'viahttp@conference.meet.localhost', machineUid: 'alice-phone', sessionId });
    expect({ status: ok.status, body: (await ok.json()) as unknown }).toMatchObject({
      status: 200,
      body: { ready: true, sessionId, identity: 'alice@meet.localhost' },
    });
    const stale = await post({ room: 'viahttp2@conference.meet.localhost', machineUid: 'x', sessionId: 'nope' });
    expect({ status: stale.status, body: await stale.text() }).toMatchObject({
      status: 400,
      body: expect.stringContaining('400 invalid-session') as unknown,
    });
  });

  it('ends a session with a logout: presenting it again is session-invalid', async () => {
    const a = await alice('a11ce003');
    const { sessionId } = await a.requestConference('bye@conference.meet.localhost', { machineUid: 'alice-tablet' });
    const result = await logout(a, sessionId!);
    expect(result.attrs.type).toBe('result');
    const err: unknown = await a
      .requestConference('bye@conference.meet.localhost', { machineUid: 'alice-tablet', sessionId })
      .catch((e: unknown) => e);
    expect((err as { element?: Element }).element?.getChild('session-invalid', NS_FOCUS)).toBeDefined();
    await expect(logout(a, sessionId!)).rejects.toMatchObject({ condition: 'not-acceptable' });
  });
});

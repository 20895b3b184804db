import { StanzaFailure } from '@convene/protocol/xml';
import { XmppAuthority } from '../../../../focus/src/conference/xmpp-auth.js';
import { ownersToGrant } from '../../../../focus/src/conference/owners.js';
import type { Occupant } from '../../../../focus/src/muc/occupant.js';

const HOUR = 3_600_000;

function failure(f: () => unknown): { condition?: string; children: string[] } {
  try {
    f();
  } catch (err) {
    if (err instanceof StanzaFailure)
      return { condition: err.stanzaError.condition, children: err.stanzaError.extensions.map((e) => e.name) };
    throw err;
  }
  return { children: [] };
}

describe('XmppAuthority (secure domain sessions)', () => {
  it('opens a new session for each session-less request from the authentication domain, none for others', () => {
    const auth = new XmppAuthority({ domain: 'Meet.Example', lifetimeMs: HOUR });
    const a = auth.authenticate({ machineUid: 'm1' }, 'Alice@meet.example/web', 0);
    const b = auth.authenticate({ machineUid: 'm1' }, 'alice@meet.example/web', 0);
    expect(a?.identity).toBe('alice@meet.example');
    expect(b?.id).not.toBe(a?.id);
    expect(auth.authenticate({ machineUid: 'm1' }, 'x@guest.meet.example/r', 0)).toBeUndefined();
    expect(auth.authenticate({ machineUid: 'm1' }, undefined, 0)).toBeUndefined();
    expect(failure(() => auth.authenticate({}, 'alice@meet.example/web', 0)).condition).toBe('not-acceptable');
  });

  it('binds a session to the JID that presents it last, and checks its machine', () => {
    const auth = new XmppAuthority({ domain: 'meet.example', lifetimeMs: HOUR });
    const s = auth.authenticate({ machineUid: 'm1' }, 'alice@meet.example/login', 0)!;
    expect(auth.isAuthenticated('alice@meet.example/login')).toBe(true);
    auth.authenticate({ machineUid: 'm1', sessionId: s.id }, 'g1@guest.meet.example/web', 1);
    expect(auth.isAuthenticated('g1@guest.meet.example/web')).toBe(true);
    expect(auth.isAuthenticated('alice@meet.example/login')).toBe(false);
    expect(failure(() => auth.authenticate({ machineUid: 'm2', sessionId: s.id }, 'g2@x/y', 2))).toEqual({
      condition: 'not-acceptable',
      children: [],
    });
    expect(failure(() => auth.authenticate({ machineUid: 'm1', sessionId: 'nope' }, 'g2@x/y', 2))).toEqual({
      condition: 'not-acceptable',
      children: ['session-invalid'],
    });
    expect(auth.isAuthenticated('g2@x/y')).toBe(false);
  });

  it('forgets a session unused for its lifetime, and one logged out; use keeps it alive', () => {
    const auth = new XmppAuthority({ domain: 'meet.example', lifetimeMs: HOUR });
    const old = auth.authenticate({ machineUid: 'm' }, 'a@meet.example/1', 0)!;
    const used = auth.authenticate({ machineUid: 'm' }, 'b@meet.example/1', 0)!;
    auth.authenticate({ machineUid: 'm', sessionId: used.id }, 'b@meet.example/1', HOUR - 1);
    expect(auth.expire(HOUR)).toBe(1);
    expect(auth.isAuthenticated('a@meet.example/1')).toBe(false);
    expect(failure(() => auth.authenticate({ machineUid: 'm', sessionId: old.id }, 'a@x/1', HOUR)).children).toEqual([
      'session-invalid',
    ]);
    expect(auth.logout(used.id)).toBe(true);
    expect(auth.logout(used.id)).toBe(false);
    expect(auth.isAuthenticated('b@meet.example/1')).toBe(false);
    expect(auth.size).toBe(0);
  });

  it('keeps at most maxSessions, dropping the least recently used', () => {
    const auth = new XmppAuthority({ domain: 'meet.example', lifetimeMs: HOUR, maxSessions: 3 });
    const ids = [0, 1, 2].map((i) => auth.authenticate({ machineUid: 'm' }, `u${i}@meet.example/r`, i)!.id);
    auth.authenticate({ machineUid: 'm', sessionId: ids[0] }, 'u0@meet.example/r', 3); // u0 used again
    auth.authenticate({ machineUid: 'm' }, 'u3@meet.example/r', 4);
    expect(auth.size).toBe(3);
    expect(auth.isAuthenticated('u1@meet.example/r')).toBe(false);
    expect(['u0', 'u2', 'u3'].every((u) => auth.isAuthenticated(`${u}@meet.example/r`))).toBe(true);
  });

  it("keeps at most 50 sessions per user, so one account cannot push others' sessions out", () => {
    const auth = new XmppAuthority({ domain: 'meet.example', lifetimeMs: HOUR, maxSessions: 100 });
    const bob = auth.authenticate({ machineUid: 'b' }, 'bob@meet.example/web', 0)!;
    const flood = Array.from({ length: 500 }, (_, i) =>
      auth.authenticate({ machineUid: 'm' }, 'mallory@meet.example/x', i + 1)!,
    );
    expect(auth.size).toBe(51);
    expect(auth.authenticate({ machineUid: 'b', sessionId: bob.id }, 'bob@meet.example/web', 600)?.id).toBe(bob.id);
    // Mallory's newest sessions are the ones kept.
    expect(auth.logout(flood[499]!.id)).toBe(true);
    expect(auth.logout(flood[0]!.id)).toBe(false);
  });
});

describe('ownersToGrant', () => {
  const o = (nick: string, jid: string, affiliation = 'none', role = 'participant'): Occupant =>
    ({ nick, jid, affiliation, role }) as Occupant;

  it('auto-owner without authentication: the first member when nobody owns the room', () => {
    expect(ownersToGrant([o('a', 'a@g/1'), o('b', 'b@g/1')])).toEqual(['a@g/1']);
    expect(ownersToGrant([o('a', 'a@g/1'), o('b', 'b@g/1', 'owner')])).toEqual([]);
    expect(ownersToGrant([o('v', 'v@g/1', 'none', 'visitor'), o('b', 'b@g/1')])).toEqual(['b@g/1']);
  });

  it('with authentication: every authenticated member not yet owner, never a guest', () => {
    const authed = (jid: string) => jid.startsWith('alice@');
    expect(ownersToGrant([o('g', 'g@guest/1'), o('a', 'alice@meet/1')], authed)).toEqual(['alice@meet/1']);
    expect(ownersToGrant([o('g', 'g@guest/1')], authed)).toEqual([]);
    expect(ownersToGrant([o('a', 'alice@meet/1', 'owner')], authed)).toEqual([]);
  });
});

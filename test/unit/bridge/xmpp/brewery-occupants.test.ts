import { parseXml } from '@convene/protocol/xml';
import { BreweryOccupants } from '@convene/bridge/xmpp';

const ROOM = 'jvbbrewery@internal.auth.meet.localhost';
const presence = (from: string, jid?: string, type?: string) =>
  parseXml(
    `<presence from="${from}"${type === undefined ? '' : ` type="${type}"`}>` +
      `<x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="owner" role="moderator"${jid === undefined ? '' : ` jid="${jid}"`}/></x></presence>`,
  );

describe('BreweryOccupants', () => {
  it('maps an occupant to the real JID of its latest presence, and forgets it when it leaves', () => {
    const o = new BreweryOccupants(ROOM);
    expect(o.senderOf(`${ROOM}/focus`)).toBeUndefined();
    o.onPresence(presence(`${ROOM}/focus`, 'focus@focus.meet.localhost/focus'));
    expect(o.senderOf(`${ROOM}/focus`)).toBe('focus@focus.meet.localhost/focus');
    o.onPresence(presence(`${ROOM}/focus`, undefined, 'unavailable'));
    expect(o.senderOf(`${ROOM}/focus`)).toBeUndefined();
    // Someone else takes the nick: it is that someone.
    o.onPresence(presence(`${ROOM}/focus`, 'mallory@auth.meet.localhost/x'));
    expect(o.senderOf(`${ROOM}/focus`)).toBe('mallory@auth.meet.localhost/x');
  });

  it('has no real JID for an occupant of an anonymous room, and none after clear()', () => {
    const o = new BreweryOccupants(ROOM);
    o.onPresence(presence(`${ROOM}/focus`));
    expect(o.senderOf(`${ROOM}/focus`)).toBeUndefined();
    o.onPresence(presence(`${ROOM}/jvb2`, 'jvb@auth.meet.localhost/jvb2'));
    o.clear();
    expect(o.senderOf(`${ROOM}/jvb2`)).toBeUndefined();
  });

  it('matches the room whatever the configured case, and takes anyone outside the room at its word', () => {
    const o = new BreweryOccupants('JvbBrewery@internal.auth.meet.localhost');
    o.onPresence(presence(`${ROOM}/focus`, 'focus@auth.meet.localhost/focus'));
    expect(o.senderOf(`${ROOM}/focus`)).toBe('focus@auth.meet.localhost/focus');
    expect(o.senderOf('focus@focus.meet.localhost/focus')).toBe('focus@focus.meet.localhost/focus');
    // The room itself (no nick) is not an occupant.
    o.onPresence(presence(ROOM, 'x@y/z'));
    expect(o.senderOf(ROOM)).toBe(ROOM);
  });

  it('ignores presence without muc#user and the room’s own presence (ejabberd sends both)', () => {
    const o = new BreweryOccupants(ROOM);
    o.onPresence(presence(`${ROOM}/focus`, 'focus@focus.meet.localhost/focus'));
    o.onPresence(parseXml(`<presence from="${ROOM}/focus"/>`));
    o.onPresence(parseXml(`<presence from="${ROOM}/focus" type="unavailable"/>`));
    expect(o.senderOf(`${ROOM}/focus`)).toBe('focus@focus.meet.localhost/focus');
  });
});

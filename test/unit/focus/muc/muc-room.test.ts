// Which presences from a conference room or the brewery are occupants (issue #17 item 5): ejabberd sends each
// occupant the room's own presence from the bare room address, without muc#user; it is nobody.
import { pino } from 'pino';
import { parseXml } from '@convene/protocol/xml';
import { MucRoom, isOccupantPresence, type Occupant } from '@convene/focus/muc';

const ROOM = 'ejab@conference.meet.localhost';
const occupant = (from: string, type?: string) =>
  parseXml(
    `<presence from="${from}"${type === undefined ? '' : ` type="${type}"`}>` +
      `<x xmlns="http://jabber.org/protocol/muc#user"><item affiliation="none" role="participant" jid="u@meet.localhost/r"/></x></presence>`,
  );
// What ejabberd 23.01 sends every occupant: the room's caps, from the room itself.
const roomCaps = parseXml(
  `<presence from="${ROOM}"><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="http://www.process-one.net/en/ejabberd/" ver="x"/></presence>`,
);

function room(): { room: MucRoom; joined: Occupant[]; left: Occupant[] } {
  const r = new MucRoom({} as never, {
    roomJid: ROOM,
    nick: 'focus',
    focusJid: 'focus@focus.meet.localhost',
    log: pino({ enabled: false }),
  });
  const joined: Occupant[] = [];
  const left: Occupant[] = [];
  r.on('memberjoin', (o) => joined.push(o));
  r.on('memberleave', (o) => left.push(o));
  return { room: r, joined, left };
}

describe('occupant presences', () => {
  it('are from room/nick and carry muc#user', () => {
    expect(isOccupantPresence(occupant(`${ROOM}/abcd`))).toBe(true);
    expect(isOccupantPresence(roomCaps)).toBe(false);
    expect(isOccupantPresence(occupant(ROOM))).toBe(false);
    expect(isOccupantPresence(occupant(`${ROOM}/`))).toBe(false);
    expect(isOccupantPresence(parseXml(`<presence from="${ROOM}/abcd"/>`))).toBe(false);
  });

  it('a room counts no member for the room’s own presence or one without muc#user', () => {
    const { room: r, joined, left } = room();
    r.handlePresence(roomCaps);
    r.handlePresence(occupant(ROOM));
    r.handlePresence(parseXml(`<presence from="${ROOM}/abcd"/>`));
    r.handlePresence(parseXml(`<presence from="${ROOM}" type="unavailable"/>`));
    expect(joined).toEqual([]);
    expect(left).toEqual([]);
    expect(r.occupants.size).toBe(0);
    expect(r.ignoredPresences).toBe(4);
    r.handlePresence(occupant(`${ROOM}/abcd`));
    expect(joined.map((o) => o.nick)).toEqual(['abcd']);
    r.handlePresence(roomCaps);
    r.handlePresence(occupant(`${ROOM}/abcd`, 'unavailable'));
    expect(left.map((o) => o.nick)).toEqual(['abcd']);
  });
});

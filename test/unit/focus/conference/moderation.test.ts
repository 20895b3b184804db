import { decideMute } from '@convene/focus/conference';
import { parseXml } from '@convene/protocol/xml';

const ROOM = 'r@conference.meet.localhost';
const member = (nick: string, role: string) => ({
  nick,
  occupantJid: `${ROOM}/${nick}`,
  jid: `${nick}@meet.localhost/x`,
  role,
  affiliation: role === 'moderator' ? 'owner' : 'none',
  presence: parseXml('<presence/>'),
});
const members = [member('mod', 'moderator'), member('guest', 'participant')];
const ask = (from: string, target: string, mute = true) =>
  decideMute(members, `${ROOM}/${from}`, { media: 'audio', jid: `${ROOM}/${target}`, mute });

describe('decideMute (Jicofo: moderators mute others, everyone mutes and unmutes themselves)', () => {
  it('lets a moderator mute a member, who is told', () => {
    expect(ask('mod', 'guest')).toEqual({ allowed: true, notify: `${ROOM}/guest` });
  });

  it('lets anyone mute or unmute themselves, with nobody told', () => {
    expect(ask('guest', 'guest', false)).toEqual({ allowed: true, notify: undefined });
    expect(ask('mod', 'mod', true)).toEqual({ allowed: true, notify: undefined });
  });

  it('refuses others, unmuting someone else, strangers, and targets outside the room', () => {
    expect(ask('guest', 'mod')).toMatchObject({ allowed: false, condition: 'not-allowed' });
    expect(ask('mod', 'guest', false)).toMatchObject({ allowed: false, condition: 'not-allowed' });
    expect(ask('nobody', 'guest')).toMatchObject({ allowed: false, condition: 'not-allowed' });
    expect(ask('mod', 'nobody')).toMatchObject({ allowed: false, condition: 'item-not-found' });
    expect(
      decideMute(members, `${ROOM}/mod`, { media: 'video', jid: 'other@conference.meet.localhost/guest', mute: true }),
    ).toMatchObject({ allowed: false, condition: 'item-not-found' });
  });
});

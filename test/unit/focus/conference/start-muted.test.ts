import { MutePolicy, startMutedFor, startMutedLimits } from '@convene/focus/conference';
import { parseXml } from '@convene/protocol/xml';

describe('start muted (Jicofo: participants beyond the limit start muted)', () => {
  it('reads whole numbers from the creating request and ignores anything else', () => {
    expect(startMutedLimits({ startAudioMuted: '3', startVideoMuted: ' 0 ' })).toEqual({ audio: 3, video: 0 });
    for (const bad of ['', '-1', '1.5', 'yes', '1e3', '9999999999'])
      expect(startMutedLimits({ startAudioMuted: bad, startVideoMuted: bad })).toEqual({});
    expect(startMutedLimits({ rtcstatsEnabled: 'false' })).toEqual({});
  });

  it('says muted only above the limit, counting the one invited', () => {
    expect(startMutedFor({}, 50)).toBeUndefined();
    expect(startMutedFor({ audio: 2 }, 2)).toBeUndefined();
    expect(startMutedFor({ audio: 2 }, 3)).toEqual({ audio: true, video: false });
    expect(startMutedFor({ audio: 5, video: 0 }, 1)).toEqual({ audio: false, video: true });
  });
});

describe('MutePolicy.forInvite', () => {
  const occupant = (role: string) => ({
    nick: 'n',
    occupantJid: 'r@c/n',
    jid: undefined,
    role,
    affiliation: 'none',
    presence: parseXml('<presence/>'),
  });

  it('puts the room’s limits in the first invite only (a bridge move re-invites everyone)', () => {
    const mutes = new MutePolicy();
    mutes.startMuted = { audio: 1 };
    expect(mutes.forInvite(occupant('participant'), 3, true).startMuted).toEqual({ audio: true, video: false });
    expect(mutes.forInvite(occupant('participant'), 3, false).startMuted).toBeUndefined();
  });

  it('force-mutes and starts muted under AV moderation at every invite, moderators and the whitelisted excepted', () => {
    const mutes = new MutePolicy();
    expect(mutes.apply({ room: 'r@c', enabled: true, mediaType: 'video', whitelists: { video: ['r@c/w'] } })).toEqual([
      'video',
    ]);
    expect(mutes.forInvite(occupant('participant'), 2, false)).toEqual({
      forceMute: { audio: false, video: true },
      startMuted: { audio: false, video: true },
    });
    expect(mutes.forInvite(occupant('moderator'), 2, false).startMuted).toBeUndefined();
    expect(mutes.forInvite({ ...occupant('participant'), occupantJid: 'r@c/w' }, 2, false).startMuted).toBeUndefined();
    expect(mutes.apply({ room: 'r@c', enabled: true, mediaType: 'video' })).toEqual([]); // already on
  });
});

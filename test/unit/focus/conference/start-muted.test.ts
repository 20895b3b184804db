import { startMutedFor, startMutedLimits } from '@convene/focus/conference';

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

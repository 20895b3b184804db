import { parseAvModerationMessage } from '@convene/protocol/jitsi';
import { parseXml } from '@convene/protocol/xml';

const message = (json: string) =>
  parseXml(`<message><json-message xmlns="http://jitsi.org/jitmeet">${json}</json-message></message>`);

describe('av_moderation messages (Prosody’s av_moderation component)', () => {
  it('reads moderation turned on, the actor and the whitelists', () => {
    const m = parseAvModerationMessage(
      message(
        JSON.stringify({
          type: 'av_moderation',
          room: 'r@conference.x',
          enabled: true,
          mediaType: 'video',
          actor: 'r@conference.x/mod',
          whitelists: { audio: ['r@conference.x/a'], video: [] },
        }),
      ),
    );
    expect(m).toEqual({
      room: 'r@conference.x',
      enabled: true,
      mediaType: 'video',
      actor: 'r@conference.x/mod',
      whitelists: { audio: ['r@conference.x/a'], video: [] },
    });
    expect(parseAvModerationMessage(message('{"type":"av_moderation","room":"r@c"}'))).toEqual({ room: 'r@c' });
    // `desktop` (newer jitsi-meet): not enforced, its whitelists kept.
    const desktop =
      '{"type":"av_moderation","room":"r@c","enabled":true,"mediaType":"desktop","whitelists":{"audio":["r@c/a"]}}';
    expect(parseAvModerationMessage(message(desktop))).toEqual({ room: 'r@c', whitelists: { audio: ['r@c/a'] } });
  });

  it('leaves other messages alone and refuses malformed ones', () => {
    expect(parseAvModerationMessage(parseXml('<message><body>hi</body></message>'))).toBeUndefined();
    expect(parseAvModerationMessage(message('{"type":"breakout_rooms","room":"r@c"}'))).toBeUndefined();
    for (const bad of [
      'not json',
      '{"type":"av_moderation"}',
      '{"type":"av_moderation","room":"r@c","enabled":"yes","mediaType":"audio"}',
      '{"type":"av_moderation","room":"r@c","enabled":true}',
      '{"type":"av_moderation","room":"r@c","whitelists":{"audio":[1,2]}}',
      '{"type":"av_moderation","room":"r@c","whitelists":[]}',
    ])
      expect(() => parseAvModerationMessage(message(bad))).toThrow();
  });
});

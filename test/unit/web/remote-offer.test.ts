// The web client's view of the focus's offer: Chromium, as the answerer, sends the offer's first codec it supports,
// so the preferred codec (VP8, which the page sends as three simulcast encodings) has to lead the video m-lines.
import { DEFAULT_FEATURES, DEFAULT_VIDEO_CODECS, buildOffer } from '@convene/focus/conference';
import type { Jingle } from '@convene/protocol/jingle';
import { RemoteOffer, preferPayloadTypes } from '../../../web/src/jingle/remote-offer.js';

function initiate(): Jingle {
  const offer = buildOffer(DEFAULT_VIDEO_CODECS, { ...DEFAULT_FEATURES, rtx: true, tcc: true });
  const transport = {
    rtcpMux: true,
    fingerprints: [],
    candidates: [],
    webSockets: [],
    ufrag: 'u',
    pwd: 'p'.repeat(22),
  };
  return {
    action: 'session-initiate',
    sid: 's1',
    groups: [],
    contents: [
      { name: 'audio', creator: 'initiator', senders: 'both', description: offer.audio, transport },
      { name: 'video', creator: 'initiator', senders: 'both', description: offer.video, transport },
    ],
  };
}

const videoFormats = (sdp: string) => /^m=video \d+ \S+ (.*)$/m.exec(sdp)?.[1]?.split(' ');

describe('RemoteOffer codec preference', () => {
  it("puts the preferred codec and its RTX first in the focus's video m-line (AV1 leads Jicofo's order)", () => {
    expect(videoFormats(new RemoteOffer(initiate()).sdp())?.slice(0, 2)).toEqual(['41', '100']);
    const formats = videoFormats(new RemoteOffer(initiate(), 'vp8').sdp());
    expect(formats?.slice(0, 2)).toEqual(['100', '96']);
    expect(new Set(formats)).toEqual(new Set(['41', '100', '107', '101', '42', '96', '99', '97']));
    expect(videoFormats(new RemoteOffer(initiate(), 'H264').sdp())?.slice(0, 2)).toEqual(['107', '99']);
  });

  it('leaves the order alone when the preferred codec is not offered', () => {
    const types = initiate().contents[1]!.description!.payloadTypes;
    expect(preferPayloadTypes(types, 'theora')).toEqual(types);
  });
});

// The focus's Jingle offer and the Colibri2 media it gives the bridge must agree id for id (PROTOCOL.md §4.2, §5.2):
// the bridge strips and forwards by the header extension ids the offer told the client to use.
import {
  DEFAULT_FEATURES,
  DEFAULT_VIDEO_CODECS,
  buildOffer,
  toColibri2Media,
  type ParticipantFeatures,
} from '@convene/focus/conference';
import { FocusConfigSchema } from '@convene/focus/config';
import { loadConfig } from '@convene/protocol/config';

const LJM: ParticipantFeatures = { ...DEFAULT_FEATURES, rtx: true, tcc: true, remb: true, jsonSources: true };

describe('buildOffer', () => {
  it("offers Jicofo's default video codecs by default: AV1 41/42 first, then VP8, H264, VP9, each with its rtcp-fb", () => {
    expect(DEFAULT_VIDEO_CODECS).toEqual(['av1', 'vp8', 'h264', 'vp9']);
    const config = loadConfig('focus', FocusConfigSchema, { env: { CONVENE_FOCUS_COMPONENT_SECRET: 's' } }).config;
    expect(config.videoCodecs).toEqual(DEFAULT_VIDEO_CODECS);
    // The config key still chooses.
    const vp8 = loadConfig('focus', FocusConfigSchema, {
      env: { CONVENE_FOCUS_COMPONENT_SECRET: 's', CONVENE_FOCUS_VIDEO_CODECS: 'vp8' },
    }).config;
    expect(vp8.videoCodecs).toEqual(['vp8']);
    const offer = buildOffer(DEFAULT_VIDEO_CODECS, LJM);
    expect(
      offer.video?.payloadTypes.map((p) => [p.id, p.name, p.parameters.map((x) => `${x.name}=${x.value}`)]),
    ).toEqual([
      [41, 'AV1', []],
      [100, 'VP8', []],
      [107, 'H264', ['profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1;']],
      [101, 'VP9', []],
      [42, 'rtx', ['apt=41']],
      [96, 'rtx', ['apt=100']],
      [99, 'rtx', ['apt=107']],
      [97, 'rtx', ['apt=101']],
    ]);
    const fbs = (id: number) =>
      offer.video?.payloadTypes.find((p) => p.id === id)?.rtcpFbs.map((f) => `${f.type} ${f.subtype ?? ''}`.trim());
    expect(fbs(41)).toEqual(['ccm fir', 'nack', 'nack pli', 'transport-cc']);
    expect(fbs(42)).toEqual(['ccm fir', 'nack', 'nack pli']);
    expect(fbs(99)).toEqual([]);
    expect(offer.video?.headerExtensions.map((h) => h.id)).toEqual([11, 10, 3, 5]);
  });

  it("uses Jicofo's numbering: Opus 111, VP8 100/96, VP9 101/97, H264 107/99, in the configured order", () => {
    const offer = buildOffer(['vp9', 'vp8', 'h264'], LJM);
    expect(offer.audio?.payloadTypes.map((p) => [p.id, p.name])).toEqual([
      [111, 'opus'],
      [126, 'telephone-event'],
    ]);
    expect(offer.video?.payloadTypes.map((p) => [p.id, p.name])).toEqual([
      [101, 'VP9'],
      [100, 'VP8'],
      [107, 'H264'],
      [97, 'rtx'],
      [96, 'rtx'],
      [99, 'rtx'],
    ]);
    const apt = offer.video?.payloadTypes.filter((p) => p.name === 'rtx').map((p) => p.parameters[0]?.value);
    expect(apt).toEqual(['101', '100', '107']);
  });

  it('offers RTX, transport-cc and its header extension only to clients that support them', () => {
    const plain = buildOffer(['vp8'], DEFAULT_FEATURES);
    expect(plain.video?.payloadTypes.map((p) => p.name)).toEqual(['VP8']);
    expect(plain.video?.headerExtensions.map((h) => h.id)).toEqual([10, 3]);
    expect(plain.video?.payloadTypes[0]?.rtcpFbs.map((f) => f.type)).not.toContain('transport-cc');
    const full = buildOffer(['vp8'], LJM);
    expect(full.video?.headerExtensions.map((h) => h.id)).toEqual([10, 3, 5]);
    // With transport-cc offered, REMB is not.
    expect(full.video?.payloadTypes[0]?.rtcpFbs.map((f) => f.type)).toEqual(['ccm', 'nack', 'nack', 'transport-cc']);
    expect(full.audio?.headerExtensions.map((h) => h.id)).toEqual([1, 10, 5]);
    expect(full.audio?.headerExtensions[0]?.uri).toBe('urn:ietf:params:rtp-hdrext:ssrc-audio-level');
  });

  it('leaves out audio, video or SCTP the participant does not support', () => {
    const offer = buildOffer(['vp8'], { ...DEFAULT_FEATURES, video: false, sctp: false });
    expect(offer.audio).toBeDefined();
    expect(offer.video).toBeUndefined();
    expect(offer.sctp).toBe(false);
    expect(toColibri2Media(offer).map((m) => m.type)).toEqual(['audio']);
  });
});

describe('toColibri2Media', () => {
  it('gives the bridge exactly the payload types and header extension ids of the offer', () => {
    const offer = buildOffer(['vp8', 'vp9', 'h264', 'av1'], LJM);
    const media = toColibri2Media(offer);
    expect(media.map((m) => m.type)).toEqual(['audio', 'video']);
    for (const [m, d] of [
      [media[0], offer.audio],
      [media[1], offer.video],
    ] as const) {
      expect(m?.payloadTypes).toEqual(d?.payloadTypes);
      expect(m?.headerExtensions).toEqual(d?.headerExtensions);
    }
    // AV1's dependency descriptor travels with the offer when AV1 is offered.
    expect(media[1]?.headerExtensions.map((h) => h.id)).toEqual([11, 10, 3, 5]);
  });
});

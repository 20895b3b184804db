import type { Colibri2Media } from '@convene/protocol/colibri2';
import type { HeaderExtension, PayloadType, RtcpFb, RtpDescription } from '@convene/protocol/jingle';

/** Video codecs the focus can offer (config `videoCodecs` lists some of them, in preference order). */
export const VIDEO_CODECS = ['vp8', 'vp9', 'h264', 'av1'] as const;
export type VideoCodec = (typeof VIDEO_CODECS)[number];

/**
 * The default offer's video codecs, in Jicofo's order (reference.conf `jicofo.codec.video` all enabled, CodecUtil's
 * order: AV1, VP8, H264, VP9). Current lib-jitsi-meet picks its send codec from what the other participants support
 * and sets AV1 scalability modes on its sender: without AV1 in the offer it fails every setParameters call.
 */
export const DEFAULT_VIDEO_CODECS: readonly VideoCodec[] = ['av1', 'vp8', 'h264', 'vp9'];

/** What a participant's disco#info told us (PROTOCOL.md §3.5); absent answer: audio, video, SCTP only. */
export interface ParticipantFeatures {
  audio: boolean;
  video: boolean;
  sctp: boolean;
  rtx: boolean;
  tcc: boolean;
  remb: boolean;
  jsonSources: boolean;
  /** `http://jitsi.org/ssrc-rewriting-1`: the bridge signals the other participants' sources. */
  ssrcRewriting: boolean;
}

export const DEFAULT_FEATURES: ParticipantFeatures = {
  audio: true,
  video: true,
  sctp: true,
  rtx: false,
  tcc: false,
  remb: false,
  jsonSources: false,
  ssrcRewriting: false,
};

export const URI_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const URI_MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const URI_TCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
export const URI_ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
export const URI_AV1_DD = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

// Jicofo's default numbering (PROTOCOL.md §4.2): primary payload type and its RTX.
const VIDEO_PT: Record<VideoCodec, { id: number; rtx: number; name: string; params?: PayloadType['parameters'] }> = {
  av1: { id: 41, rtx: 42, name: 'AV1' },
  vp8: { id: 100, rtx: 96, name: 'VP8' },
  vp9: { id: 101, rtx: 97, name: 'VP9' },
  h264: {
    id: 107,
    rtx: 99,
    name: 'H264',
    params: [{ name: 'profile-level-id', value: '42e01f;level-asymmetry-allowed=1;packetization-mode=1;' }],
  },
};

/** The offer's audio and video descriptions for one participant: what the bridge is told, id for id. */
export interface Offer {
  audio: RtpDescription | undefined;
  video: RtpDescription | undefined;
  sctp: boolean;
}

/** Builds the offer from the configured codecs and what the participant supports. */
export function buildOffer(videoCodecs: readonly VideoCodec[], f: ParticipantFeatures): Offer {
  const tcc: RtcpFb[] = f.tcc ? [{ type: 'transport-cc' }] : [];
  const audio: RtpDescription | undefined = f.audio
    ? {
        ...description('audio'),
        maxptime: 60,
        payloadTypes: [
          {
            id: 111,
            name: 'opus',
            clockrate: 48000,
            channels: 2,
            parameters: [
              { name: 'minptime', value: '10' },
              { name: 'useinbandfec', value: '1' },
            ],
            rtcpFbs: tcc,
          },
          { id: 126, name: 'telephone-event', clockrate: 8000, parameters: [], rtcpFbs: [] },
        ],
        headerExtensions: [
          { id: 1, uri: URI_AUDIO_LEVEL },
          { id: 10, uri: URI_MID },
          ...(f.tcc ? [{ id: 5, uri: URI_TCC }] : []),
        ],
      }
    : undefined;

  const videoFb: RtcpFb[] = [
    { type: 'ccm', subtype: 'fir' },
    { type: 'nack' },
    { type: 'nack', subtype: 'pli' },
    ...(f.remb && !f.tcc ? [{ type: 'goog-remb' }] : []),
    ...tcc,
  ];
  const payloadTypes: PayloadType[] = [];
  for (const codec of videoCodecs) {
    const pt = VIDEO_PT[codec];
    payloadTypes.push({ id: pt.id, name: pt.name, clockrate: 90000, parameters: pt.params ?? [], rtcpFbs: videoFb });
  }
  if (f.rtx) {
    for (const codec of videoCodecs) {
      const pt = VIDEO_PT[codec];
      // Jicofo sends H264's RTX without rtcp-fb.
      const fbs = codec === 'h264' ? [] : videoFb.filter((fb) => fb.type !== 'transport-cc' && fb.type !== 'goog-remb');
      payloadTypes.push({
        id: pt.rtx,
        name: 'rtx',
        clockrate: 90000,
        parameters: [{ name: 'apt', value: String(pt.id) }],
        rtcpFbs: fbs,
      });
    }
  }
  const videoExts: HeaderExtension[] = [
    ...(videoCodecs.includes('av1') ? [{ id: 11, uri: URI_AV1_DD }] : []),
    { id: 10, uri: URI_MID },
    { id: 3, uri: URI_ABS_SEND_TIME },
    ...(f.tcc ? [{ id: 5, uri: URI_TCC }] : []),
  ];
  const video: RtpDescription | undefined = f.video
    ? { ...description('video'), payloadTypes, headerExtensions: videoExts }
    : undefined;
  return { audio, video, sctp: f.sctp };
}

function description(media: 'audio' | 'video'): RtpDescription {
  return {
    media,
    payloadTypes: [],
    headerExtensions: [],
    rtcpFbs: [],
    extmapAllowMixed: true,
    rtcpMux: true,
    sources: [],
    ssrcGroups: [],
  };
}

/** The Colibri2 `media` elements for an offer: the same payload types and extension ids (PROTOCOL.md §5.2). */
export function toColibri2Media(offer: Offer): Colibri2Media[] {
  const out: Colibri2Media[] = [];
  for (const d of [offer.audio, offer.video]) {
    if (d === undefined) continue;
    out.push({
      type: d.media as 'audio' | 'video',
      payloadTypes: d.payloadTypes,
      headerExtensions: d.headerExtensions,
      extmapAllowMixed: d.extmapAllowMixed,
    });
  }
  return out;
}

// What the video allocation reads from the offer's Colibri2 media: which payload types carry which video codec
// (layer switching reads the codec's descriptor) and the ssrc-audio-level extension (the dominant speaker).
import type { Colibri2Media } from '@convene/protocol/colibri2';
import type { VideoCodec } from '../conference/index.js';

const VIDEO_CODECS: ReadonlyMap<string, VideoCodec> = new Map([
  ['vp8', 'vp8'],
  ['h264', 'h264'],
  ['vp9', 'vp9'],
  ['av1', 'av1'],
]);

/** Payload type -> codec for the video payload types of the offer (RTX and others are not listed). */
export function videoCodecs(media: readonly Colibri2Media[]): Map<number, VideoCodec> {
  const out = new Map<number, VideoCodec>();
  for (const m of media) {
    if (m.type !== 'video') continue;
    for (const pt of m.payloadTypes) {
      const c = VIDEO_CODECS.get(pt.name.toLowerCase());
      if (c !== undefined) out.set(pt.id, c);
    }
  }
  return out;
}

const URI_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** The ssrc-audio-level extension id of the offer (RFC 6464), 0 when it has none. */
export function audioLevelExtensionId(media: readonly Colibri2Media[]): number {
  for (const m of media) for (const e of m.headerExtensions) if (e.uri === URI_AUDIO_LEVEL) return e.id;
  return 0;
}

const URI_AV1_DD = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

/** The AV1 dependency descriptor extension id of the offer, 0 when it has none. */
export function dependencyDescriptorExtensionId(media: readonly Colibri2Media[]): number {
  for (const m of media) for (const e of m.headerExtensions) if (e.uri === URI_AV1_DD) return e.id;
  return 0;
}

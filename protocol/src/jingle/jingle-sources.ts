import { type EndpointSources, type SourceMap, emptyEndpointSources } from '../sources/source-map.js';
import type { Source } from '../sources/source.js';
import type { JingleContent } from './content.js';
import { emptyRtpDescription } from './rtp-description.js';

/** All sources and groups in the audio/video descriptions of some contents (session-accept, source-add). */
export function sourcesOfContents(contents: readonly JingleContent[]): EndpointSources {
  const out = emptyEndpointSources();
  for (const c of contents) {
    const d = c.description;
    if (d === undefined || (d.media !== 'audio' && d.media !== 'video')) continue;
    out[d.media].sources.push(...d.sources);
    out[d.media].groups.push(...d.ssrcGroups);
  }
  return out;
}

/**
 * The XML form of remote sources (for clients without `json-encoded-sources`): one `audio` and one `video`
 * content whose sources carry `ssrc-info@owner`.
 */
export function contentsOfSources(map: SourceMap, creator?: 'initiator' | 'responder'): JingleContent[] {
  const contents: JingleContent[] = [];
  for (const media of ['audio', 'video'] as const) {
    const description = emptyRtpDescription(media);
    for (const [owner, set] of map) {
      // lib-jitsi-meet: a video source without a video type is a camera.
      const withType = (s: Source): Source =>
        media === 'video' && s.videoType === undefined ? { ...s, videoType: 'camera' } : s;
      description.sources.push(...set[media].sources.map((s) => ({ ...withType(s), owner: s.owner ?? owner })));
      description.ssrcGroups.push(...set[media].groups);
    }
    if (description.sources.length === 0 && description.ssrcGroups.length === 0) continue;
    const content: JingleContent = { name: media, description };
    if (creator !== undefined) content.creator = creator;
    contents.push(content);
  }
  return contents;
}

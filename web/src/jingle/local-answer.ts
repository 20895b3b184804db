import type { JingleContent } from '@convene/protocol/jingle';
import { toSourceName } from '@convene/protocol/lib';
import { sdpToJingle, type SdpJingle } from '@convene/protocol/sdp';

/**
 * The browser's answer as the body of a session-accept: lib-jitsi-meet's source names (`<endpoint>-a0`,
 * `<endpoint>-v0`, camera), and only candidates the bridge could use (mDNS `.local` names never resolve there;
 * the bridge learns our address from our connectivity checks anyway, PROTOCOL.md §8).
 */
export function answerToJingle(sdp: string, endpointId: string): SdpJingle {
  const answer = sdpToJingle(sdp, { creator: 'responder' });
  for (const c of answer.contents) fixContent(c, endpointId);
  return answer;
}

function fixContent(c: JingleContent, endpointId: string): void {
  const d = c.description;
  if (d !== undefined && (d.media === 'audio' || d.media === 'video')) {
    const name = toSourceName(`${endpointId}-${d.media === 'audio' ? 'a' : 'v'}0`);
    for (const s of d.sources) {
      s.name = name;
      if (d.media === 'video') s.videoType = 'camera';
    }
  }
  if (c.transport !== undefined) {
    c.transport.candidates = c.transport.candidates.filter((x) => !x.ip.endsWith('.local'));
    c.transport.rtcpMux = true;
  }
}

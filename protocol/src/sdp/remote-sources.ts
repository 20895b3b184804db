import { type MediaDescription, type SessionDescription, parse, write } from 'sdp-transform';
import { ProtocolError } from '../lib/errors.js';
import type { MediaSources } from '../sources/source-map.js';
import { groupBySource, groupsWithin, setSources } from './sdp-sources.js';

// lib-jitsi-meet SDP.updateRemoteSources for bridge sessions: a source-add from the focus becomes a new
// sendonly m-line per source (a copy of the first m-line of its type), a source-remove rejects that m-line.

/** Adds one m-line per remote source to a remote description (for the re-offer after `source-add`). */
export function addRemoteSources(sdp: string, media: 'audio' | 'video', sources: MediaSources): string {
  const sd = parseRemote(sdp);
  const template = sd.media.find((m) => m.type === media);
  if (template === undefined) throw new ProtocolError('missing-element', `remote SDP has no ${media} m-line`);
  for (const group of groupBySource(sources.sources)) {
    const m: MediaDescription = structuredClone(template);
    m.mid = String(sd.media.length);
    m.direction = 'sendonly';
    m.port = template.port === 0 ? 9 : template.port;
    delete m.msid;
    setSources(m, group, groupsWithin(sources.groups, group));
    sd.media.push(m);
    for (const g of sd.groups ?? []) if (g.type === 'BUNDLE') g.mids = [...String(g.mids).split(' '), m.mid].join(' ');
  }
  sd.origin.sessionVersion++;
  return write(sd);
}

/** Rejects the m-lines carrying these sources (port 0, inactive, no SSRCs) after `source-remove`. */
export function removeRemoteSources(sdp: string, sources: MediaSources): string {
  const sd = parseRemote(sdp);
  for (const group of groupBySource(sources.sources)) {
    const first = group[0]?.ssrc;
    const m = sd.media.find((x) => (x.ssrcs ?? []).some((s) => Number(s.id) === first));
    if (m === undefined) continue;
    setSources(m, [], []);
    m.port = 0;
    m.direction = 'inactive';
  }
  sd.origin.sessionVersion++;
  return write(sd);
}

function parseRemote(sdp: string): SessionDescription {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=')) throw new ProtocolError('bad-sdp', 'SDP must start with v=');
  const sd = parse(sdp);
  if (!Array.isArray(sd.media) || sd.origin === undefined)
    throw new ProtocolError('bad-sdp', 'SDP has no o= or m= line');
  return sd;
}

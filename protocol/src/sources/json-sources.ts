import { ProtocolError } from '../lib/errors.js';
import { type EndpointId, type Ssrc, parseSsrc, toEndpointId, toSourceName, toSsrc } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import { isObject, parseJsonText } from '../lib/json-text.js';
import type { Source } from './source.js';
import { SEMANTICS_FID, SEMANTICS_SIM, type SsrcGroup } from './ssrc-group.js';
import { type MediaSources, type SourceMap, emptyEndpointSources } from './source-map.js';

// Jicofo ConferenceSourceMap.compactJson / lib-jitsi-meet JingleHelperFunctions: per owner
// [videoSources, videoGroups, audioSources, audioGroups?]; a group is ["s"|"f", ssrc, ...].
const GROUP_LETTERS: Record<string, string> = { s: SEMANTICS_SIM, f: SEMANTICS_FID };
const LETTER_OF: Record<string, string> = { [SEMANTICS_SIM]: 's', [SEMANTICS_FID]: 'f' };

/** Parses a `json-message` body `{"sources":{…}}` into sources per owner (each source gets its owner). */
export function parseJsonSources(text: string): SourceMap {
  const root = parseJsonText(text, 'json-message');
  if (!isObject(root)) throw new ProtocolError('bad-json', 'json-message is not an object');
  const sources = root.sources;
  if (sources === undefined) throw new ProtocolError('missing-element', 'json-message has no "sources"');
  if (!isObject(sources)) throw new ProtocolError('bad-json', 'json-message "sources" is not an object');
  const map: SourceMap = new Map();
  for (const [ownerRaw, value] of Object.entries(sources)) {
    const where = `json-message sources["${ownerRaw}"]`;
    const owner = withContext(where, () => toEndpointId(ownerRaw));
    if (!Array.isArray(value))
      throw new ProtocolError('bad-json', `${where} must be [videoSources, videoGroups, audioSources, audioGroups?]`);
    // lib-jitsi-meet reads missing trailing entries as empty, and so do we.
    const set = emptyEndpointSources();
    set.video = parseMedia(where, owner, value[0] ?? [], value[1] ?? [], 'video');
    set.audio = parseMedia(where, owner, value[2] ?? [], value[3] ?? [], 'audio');
    map.set(owner, set);
  }
  return map;
}

/** Builds the `json-message` body for these sources (parameters other than msid are not representable). */
export function buildJsonSources(map: SourceMap): string {
  const out: Record<string, unknown[]> = {};
  for (const [owner, set] of map) {
    const entry: unknown[] = [
      set.video.sources.map(compactSource),
      set.video.groups.map(compactGroup),
      set.audio.sources.map(compactSource),
    ];
    if (set.audio.groups.length > 0) entry.push(set.audio.groups.map(compactGroup));
    out[owner] = entry;
  }
  return JSON.stringify({ sources: out });
}

function compactSource(s: Source): Record<string, unknown> {
  const c: Record<string, unknown> = { s: s.ssrc };
  if (s.name !== undefined) c.n = s.name;
  if (s.msid !== undefined) c.m = s.msid;
  if (s.videoType === 'desktop') c.v = 'd';
  return c;
}

function compactGroup(g: SsrcGroup): unknown[] {
  const letter = LETTER_OF[g.semantics];
  if (letter === undefined)
    throw new ProtocolError('unknown-value', `ssrc-group semantics ${g.semantics} has no JSON encoding`);
  return [letter, ...g.ssrcs];
}

function parseMedia(where: string, owner: EndpointId, srcs: unknown, groups: unknown, media: string): MediaSources {
  if (!Array.isArray(srcs)) throw new ProtocolError('bad-json', `${where} ${media} sources is not an array`);
  if (!Array.isArray(groups)) throw new ProtocolError('bad-json', `${where} ${media} groups is not an array`);
  return {
    sources: srcs.map((s, i) => parseCompactSource(`${where} ${media} source ${i}`, owner, s)),
    groups: groups.map((g, i) => parseCompactGroup(`${where} ${media} group ${i}`, g)),
  };
}

function parseCompactSource(where: string, owner: EndpointId, raw: unknown): Source {
  if (!isObject(raw)) throw new ProtocolError('bad-json', `${where} is not an object`);
  const source: Source = { ssrc: jsonSsrc(`${where} "s"`, raw.s), owner, parameters: [] };
  if (raw.n !== undefined) {
    if (typeof raw.n !== 'string') throw new ProtocolError('bad-json', `${where} "n" is not a string`);
    const n = raw.n;
    source.name = withContext(where, () => toSourceName(n));
  }
  if (raw.m !== undefined) {
    if (typeof raw.m !== 'string') throw new ProtocolError('bad-json', `${where} "m" is not a string`);
    source.msid = raw.m;
  }
  if (raw.v !== undefined) {
    if (raw.v === 'd') source.videoType = 'desktop';
    else if (raw.v === 'c') source.videoType = 'camera';
    else throw new ProtocolError('unknown-value', `${where} "v" must be "d", got ${JSON.stringify(raw.v)}`);
  }
  return source;
}

function parseCompactGroup(where: string, raw: unknown): SsrcGroup {
  if (!Array.isArray(raw) || raw.length < 2) throw new ProtocolError('bad-json', `${where} must be [semantics, ssrc…]`);
  const [letter, ...ssrcs] = raw as unknown[];
  const semantics = typeof letter === 'string' ? GROUP_LETTERS[letter] : undefined;
  if (semantics === undefined)
    throw new ProtocolError('unknown-value', `${where} semantics ${JSON.stringify(letter)} is not "s" or "f"`);
  return { semantics, ssrcs: ssrcs.map((s, i) => jsonSsrc(`${where} ssrc ${i}`, s)) };
}

function jsonSsrc(where: string, raw: unknown): Ssrc {
  if (typeof raw === 'number') return withContext(where, () => toSsrc(raw));
  if (typeof raw === 'string') return parseSsrc(where, raw);
  if (raw === undefined) throw new ProtocolError('missing-attribute', `${where} is missing`);
  throw new ProtocolError('bad-number', `${where} is not an SSRC: ${JSON.stringify(raw)}`);
}

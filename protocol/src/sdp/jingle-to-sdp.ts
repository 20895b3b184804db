import { type MediaDescription, type SessionDescription, write } from 'sdp-transform';
import type { Jingle } from '../jingle/jingle.js';
import type { JingleContent } from '../jingle/content.js';
import type { RtpDescription } from '../jingle/rtp-description.js';
import type { IceUdpTransport } from '../jingle/ice-udp-transport.js';
import type { SourceMap } from '../sources/source-map.js';
import { directionOf, fmtpConfig, toSdpCandidate } from './sdp-media.js';
import { groupBySource, groupsWithin, orderSources, setSources } from './sdp-sources.js';

/** How sources become m-lines. */
export interface JingleToSdpOptions {
  /**
   * `per-source` (default): lib-jitsi-meet's scheme for offers from the focus: one m-line per remote source
   * (all its SSRCs and groups), the bridge's `mixedmslabel` sources first, the first m-line of each media type
   * `sendrecv`, the rest `sendonly`, mids renumbered 0,1,2…. `per-content`: one m-line per content, mid = name.
   */
  layout?: 'per-source' | 'per-content';
  /** `o=` session id; defaults to 1 so output is deterministic. */
  sessionId?: number;
  sessionVersion?: number;
}

const MAX_MESSAGE_SIZE = 262144;

/** Turns a Jingle offer (session-initiate) into SDP a browser's setRemoteDescription accepts. */
export function jingleToSdp(jingle: Jingle, options: JingleToSdpOptions = {}): string {
  return write(jingleToSessionDescription(jingle, options));
}

/** The same as {@link jingleToSdp}, as an sdp-transform object. */
export function jingleToSessionDescription(jingle: Jingle, options: JingleToSdpOptions = {}): SessionDescription {
  const layout = options.layout ?? 'per-source';
  const contents =
    jingle.jsonSources === undefined ? jingle.contents : withJsonSources(jingle.contents, jingle.jsonSources);
  const media: MediaDescription[] = [];
  for (const content of contents) {
    const m = contentToMedia(content);
    if (layout === 'per-content' || m.type === 'application' || content.description === undefined) media.push(m);
    else media.push(...splitPerSource(m, content.description));
  }
  if (layout === 'per-source') media.forEach((m, i) => (m.mid = String(i)));
  const sd: SessionDescription = {
    version: 0,
    origin: {
      username: '-',
      sessionId: options.sessionId ?? 1,
      sessionVersion: options.sessionVersion ?? 2,
      netType: 'IN',
      ipVer: 4,
      address: '0.0.0.0',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    msidSemantic: { semantic: 'WMS', token: '*' },
    media,
  };
  if (jingle.groups.some((g) => g.semantics === 'BUNDLE'))
    sd.groups = [{ type: 'BUNDLE', mids: media.map((m) => m.mid).join(' ') }];
  if (contents.some((c) => c.transport?.fingerprints.some((f) => f.cryptex === true) === true))
    sd.invalid = [{ value: 'cryptex' }];
  return sd;
}

function contentToMedia(content: JingleContent): MediaDescription {
  const t = content.transport;
  const desc = content.description;
  const port = content.senders === 'rejected' ? 0 : 9;
  let m: MediaDescription;
  if (t?.sctpMap !== undefined) {
    m = { type: 'application', port, protocol: 'UDP/DTLS/SCTP', payloads: 'webrtc-datachannel', rtp: [], fmtp: [] };
    m.sctpPort = t.sctpMap.number;
    m.maxMessageSize = MAX_MESSAGE_SIZE;
  } else {
    m = {
      type: desc?.media ?? 'audio',
      port,
      protocol: 'UDP/TLS/RTP/SAVPF',
      payloads: (desc?.payloadTypes ?? []).map((p) => p.id).join(' '),
      rtp: [],
      fmtp: [],
      rtcp: { port: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    };
  }
  m.connection = { version: 4, ip: '0.0.0.0' };
  if (t !== undefined) addTransport(m, t);
  const direction = directionOf(content.senders);
  if (direction !== undefined) m.direction = direction;
  m.mid = content.name;
  if (desc !== undefined && m.type !== 'application') addDescription(m, desc);
  return m;
}

function addTransport(m: MediaDescription, t: IceUdpTransport): void {
  if (t.ufrag !== undefined) m.iceUfrag = t.ufrag;
  if (t.pwd !== undefined) m.icePwd = t.pwd;
  const fp = t.fingerprints[0];
  if (fp !== undefined) {
    m.fingerprint = { type: fp.hash, hash: fp.value };
    if (fp.setup !== undefined) m.setup = fp.setup;
  }
  if (t.candidates.length > 0) m.candidates = t.candidates.map(toSdpCandidate);
}

function addDescription(m: MediaDescription, d: RtpDescription): void {
  if (d.rtcpMux) m.rtcpMux = 'rtcp-mux';
  if (d.maxptime !== undefined) m.maxptime = d.maxptime;
  const rtcpFb: NonNullable<MediaDescription['rtcpFb']> = [];
  for (const pt of d.payloadTypes) {
    m.rtp.push({ payload: pt.id, codec: pt.name, rate: pt.clockrate, encoding: pt.channels });
    if (pt.parameters.length > 0) m.fmtp.push({ payload: pt.id, config: fmtpConfig(pt.parameters) });
    for (const fb of pt.rtcpFbs) rtcpFb.push({ payload: pt.id, type: fb.type, subtype: fb.subtype });
  }
  for (const fb of d.rtcpFbs) rtcpFb.push({ payload: '*', type: fb.type, subtype: fb.subtype });
  if (rtcpFb.length > 0) m.rtcpFb = rtcpFb;
  if (d.headerExtensions.length > 0)
    m.ext = d.headerExtensions.map((e) => ({ value: e.id, uri: e.uri, direction: directionOf(e.senders) }));
  if (d.extmapAllowMixed) m.extmapAllowMixed = 'extmap-allow-mixed';
  setSources(m, orderSources(d.sources), d.ssrcGroups);
}

function splitPerSource(m: MediaDescription, d: RtpDescription): MediaDescription[] {
  if (d.sources.length === 0) return [m];
  return groupBySource(d.sources).map((sources, i) => {
    const copy = structuredClone(m);
    delete copy.bundleOnly;
    copy.direction = i === 0 ? 'sendrecv' : 'sendonly';
    setSources(copy, sources, groupsWithin(d.ssrcGroups, sources));
    return copy;
  });
}

/** Copies the JSON-encoded remote sources into the audio/video descriptions, as lib-jitsi-meet expands them. */
function withJsonSources(contents: readonly JingleContent[], map: SourceMap): JingleContent[] {
  return contents.map((c) => {
    const media = c.description?.media;
    if (c.description === undefined || (media !== 'audio' && media !== 'video')) return c;
    const extra = [...map.values()].map((set) => set[media]);
    return {
      ...c,
      description: {
        ...c.description,
        sources: [...c.description.sources, ...extra.flatMap((e) => e.sources)],
        ssrcGroups: [...c.description.ssrcGroups, ...extra.flatMap((e) => e.groups)],
      },
    };
  });
}

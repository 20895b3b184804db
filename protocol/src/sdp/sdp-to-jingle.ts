import { type MediaDescription, type SessionDescription, parse } from 'sdp-transform';
import { ProtocolError } from '../lib/errors.js';
import { parseSsrc, toSourceName } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import type { ContentGroup } from '../jingle/jingle.js';
import type { JingleContent } from '../jingle/content.js';
import { type RtpDescription, emptyRtpDescription } from '../jingle/rtp-description.js';
import { type IceUdpTransport, emptyIceUdpTransport } from '../jingle/ice-udp-transport.js';
import { DTLS_SETUPS, type DtlsSetup } from '../jingle/fingerprint.js';
import type { PayloadType } from '../jingle/payload-type.js';
import type { HeaderExtension } from '../jingle/header-extension.js';
import { type Source, parseVideoType } from '../sources/source.js';
import { checkInt, fromSdpCandidate, parseFmtpConfig, sendersOf } from './sdp-media.js';

/** How the SDP's m-lines become Jingle contents. */
export interface SdpToJingleOptions {
  /** `responder` for an answer to the focus, `initiator` for an offer. */
  creator: 'initiator' | 'responder';
  /**
   * `media` (default): lib-jitsi-meet towards the focus: one content per media type named `audio`/`video`/`data`,
   * later m-lines of a type add their sources to it. `mid`: one content per m-line named by its mid (P2P style).
   */
  contentNames?: 'media' | 'mid';
}

/** The Jingle contents and groups for a browser SDP (the body of a session-accept or session-initiate). */
export interface SdpJingle {
  contents: JingleContent[];
  groups: ContentGroup[];
}

/** Parses SDP text with sdp-transform and maps it to Jingle; malformed SDP throws ProtocolError. */
export function sdpToJingle(sdp: string, options: SdpToJingleOptions): SdpJingle {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=')) throw new ProtocolError('bad-sdp', 'SDP must start with v=');
  let sd: SessionDescription;
  try {
    sd = parse(sdp);
  } catch (err) {
    throw new ProtocolError('bad-sdp', `unparsable SDP: ${(err as Error).message}`, { cause: err });
  }
  return sessionDescriptionToJingle(sd, options);
}

/** The same as {@link sdpToJingle}, from an sdp-transform object. */
export function sessionDescriptionToJingle(sd: SessionDescription, options: SdpToJingleOptions): SdpJingle {
  const byMid = options.contentNames === 'mid';
  if (!Array.isArray(sd.media) || sd.media.length === 0)
    throw new ProtocolError('missing-element', 'SDP has no m-line');
  const contents: JingleContent[] = [];
  const nameOfMid = new Map<string, string>();
  sd.media.forEach((m, i) => {
    withContext(`m-line ${i} (${String(m.type)})`, () => {
      const name = byMid ? String(m.mid ?? i) : contentName(m.type);
      nameOfMid.set(String(m.mid ?? i), name);
      const existing = contents.find((c) => c.name === name);
      if (existing !== undefined) {
        // lib-jitsi-meet SDP.toJingle: extra m-lines of a type add their sources to the first content.
        if (existing.description !== undefined) {
          const { sources, groups } = readSources(m);
          existing.description.sources.push(...sources);
          existing.description.ssrcGroups.push(...groups);
        }
        return;
      }
      contents.push(mediaToContent(sd, m, name, options.creator));
    });
  });
  const groups: ContentGroup[] = (sd.groups ?? []).map((g) => ({
    semantics: g.type,
    contents: [
      ...new Set(
        String(g.mids)
          .split(' ')
          .filter((mid) => mid !== '')
          .map((mid) => nameOfMid.get(mid) ?? mid),
      ),
    ],
  }));
  return { contents, groups };
}

function contentName(type: string): string {
  if (type === 'audio' || type === 'video') return type;
  if (type === 'application') return 'data';
  throw new ProtocolError('unknown-value', `m-line media "${type}" is not audio, video or application`);
}

function mediaToContent(
  sd: SessionDescription,
  m: MediaDescription,
  name: string,
  creator: 'initiator' | 'responder',
): JingleContent {
  const content: JingleContent = { creator, name };
  const senders = sendersOf(m.direction ?? sd.direction);
  if (senders !== undefined) content.senders = senders;
  if (m.port === 0 && m.bundleOnly === undefined) content.senders = 'rejected';
  if (m.type === 'audio' || m.type === 'video') content.description = readDescription(sd, m);
  content.transport = readTransport(sd, m);
  return content;
}

function readDescription(sd: SessionDescription, m: MediaDescription): RtpDescription {
  const d = emptyRtpDescription(m.type === 'audio' ? 'audio' : 'video');
  const formats = String(m.payloads ?? '')
    .split(' ')
    .filter((p) => p !== '');
  for (const f of formats) {
    const id = checkInt('payload type', f, 0, 127);
    const rtp = (m.rtp ?? []).find((r) => r.payload === id);
    if (rtp === undefined) continue; // lib-jitsi-meet skips formats without a=rtpmap
    const pt: PayloadType = { id, name: String(rtp.codec), parameters: [], rtcpFbs: [] };
    if (rtp.rate !== undefined) pt.clockrate = checkInt(`a=rtpmap:${id} clock rate`, rtp.rate, 1, 0xffffffff);
    if (rtp.encoding !== undefined) pt.channels = checkInt(`a=rtpmap:${id} channels`, rtp.encoding, 1, 255);
    for (const fmtp of (m.fmtp ?? []).filter((x) => x.payload === id))
      pt.parameters.push(...parseFmtpConfig(String(fmtp.config)));
    for (const fb of (m.rtcpFb ?? []).filter((x) => String(x.payload) === String(id)))
      pt.rtcpFbs.push(fb.subtype === undefined ? { type: fb.type } : { type: fb.type, subtype: fb.subtype });
    d.payloadTypes.push(pt);
  }
  for (const fb of (m.rtcpFb ?? []).filter((x) => x.payload === '*'))
    d.rtcpFbs.push(fb.subtype === undefined ? { type: fb.type } : { type: fb.type, subtype: fb.subtype });
  d.headerExtensions = [...(m.ext ?? []), ...(sd.ext ?? [])].map((e) => {
    const ext: HeaderExtension = { id: checkInt('a=extmap id', e.value, 1, 255), uri: String(e.uri) };
    const senders = sendersOf(e.direction as MediaDescription['direction']);
    if (senders !== undefined && senders !== 'rejected') ext.senders = senders;
    return ext;
  });
  d.extmapAllowMixed = m.extmapAllowMixed !== undefined || sd.extmapAllowMixed !== undefined;
  d.rtcpMux = m.rtcpMux !== undefined;
  if (m.maxptime !== undefined) d.maxptime = checkInt('a=maxptime', m.maxptime, 0, 0xffff);
  const { sources, groups } = readSources(m);
  d.sources = sources;
  d.ssrcGroups = groups;
  return d;
}

function readSources(m: MediaDescription): Pick<RtpDescription, 'sources'> & { groups: RtpDescription['ssrcGroups'] } {
  const sources = new Map<number, Source>();
  for (const line of m.ssrcs ?? []) {
    const ssrc = parseSsrc('a=ssrc', String(line.id));
    const s = sources.get(ssrc) ?? { ssrc, parameters: [] };
    sources.set(ssrc, s);
    const value = line.value;
    if (line.attribute === 'msid' && value !== undefined) s.msid = value;
    else if (line.attribute === 'name' && value !== undefined)
      s.name = withContext('a=ssrc name', () => toSourceName(value));
    else if (line.attribute === 'videoType' && value !== undefined) s.videoType = parseVideoType('a=ssrc', value);
    else
      s.parameters.push(
        value === undefined ? { name: String(line.attribute) } : { name: String(line.attribute), value },
      );
  }
  const groups = (m.ssrcGroups ?? []).map((g) => ({
    semantics: String(g.semantics),
    ssrcs: String(g.ssrcs)
      .split(' ')
      .filter((x) => x !== '')
      .map((x) => parseSsrc(`a=ssrc-group:${g.semantics}`, x)),
  }));
  return { sources: [...sources.values()], groups };
}

function readTransport(sd: SessionDescription, m: MediaDescription): IceUdpTransport {
  const t = emptyIceUdpTransport();
  const ufrag = m.iceUfrag ?? sd.iceUfrag;
  if (ufrag !== undefined) t.ufrag = String(ufrag);
  const pwd = m.icePwd ?? sd.icePwd;
  if (pwd !== undefined) t.pwd = String(pwd);
  const fp = m.fingerprint ?? sd.fingerprint;
  if (fp !== undefined) {
    const setupRaw = m.setup ?? sd.setup;
    const cryptex = [...(m.invalid ?? []), ...(sd.invalid ?? [])].some((i) => i.value === 'cryptex');
    const fingerprint: IceUdpTransport['fingerprints'][number] = { hash: String(fp.type), value: String(fp.hash) };
    if (setupRaw !== undefined) {
      if (!(DTLS_SETUPS as readonly string[]).includes(setupRaw))
        throw new ProtocolError('unknown-value', `a=setup:${setupRaw} is not a DTLS role`);
      fingerprint.setup = setupRaw as DtlsSetup;
    }
    if (cryptex) fingerprint.cryptex = true;
    t.fingerprints.push(fingerprint);
  }
  t.candidates = (m.candidates ?? []).map(fromSdpCandidate);
  if (m.sctpPort !== undefined)
    t.sctpMap = { number: checkInt('a=sctp-port', m.sctpPort, 0, 65535), protocol: 'webrtc-datachannel', streams: 0 };
  else if (m.sctpmap !== undefined)
    t.sctpMap = {
      number: checkInt('a=sctpmap', m.sctpmap.sctpmapNumber, 0, 65535),
      protocol: String(m.sctpmap.app),
      streams: 0,
    };
  return t;
}

// Translates between Colibri2's transports and sources (protocol codecs) and the conference model's plain
// parameters (bridge/src/conference/).
import type { Colibri2Transport, MediaSource } from '@convene/protocol/colibri2';
import type { IceCandidate, IceUdpTransport } from '@convene/protocol/jingle';
import { toSourceName, type Ssrc } from '@convene/protocol/lib';
import type {
  Conference,
  IceCandidate as MediaCandidate,
  SignalledFingerprint as MediaFingerprint,
  SourceParams,
  SsrcGroupParams,
  TransportParams as MediaTransport,
} from '../conference/index.js';
import { SCTP_PORT } from './validate-request.js';

/**
 * The peer's transport for the media core; UDP RTP candidates only, mDNS names dropped (JVB ignores them).
 * What the update leaves out (a trickled transport-info has no fingerprint) comes from `previous`; undefined
 * when there is still no ufrag, pwd and fingerprint to start ICE and DTLS with.
 */
export function toMediaTransport(ice: IceUdpTransport, previous?: MediaTransport): MediaTransport | undefined {
  const ufrag = ice.ufrag ?? previous?.ufrag;
  const pwd = ice.pwd ?? previous?.pwd;
  const fingerprints =
    ice.fingerprints.length > 0
      ? ice.fingerprints.map((f): MediaFingerprint => ({
          hash: f.hash.toLowerCase(),
          value: f.value.toUpperCase(),
          // A fingerprint without setup comes from an answerer that takes the DTLS client role (RFC 5763 §5).
          setup: f.setup === 'passive' ? 'passive' : f.setup === 'actpass' ? 'actpass' : 'active',
        }))
      : (previous?.fingerprints ?? []);
  if (ufrag === undefined || pwd === undefined || fingerprints.length === 0) return undefined;
  return {
    ufrag,
    pwd,
    fingerprints,
    candidates: ice.candidates
      .filter((c) => c.protocol === 'udp' && c.component === 1 && !c.ip.endsWith('.local'))
      .map((c) => ({ address: c.ip, port: c.port, priority: c.priority, type: c.type })),
  };
}

/** The bridge's side of an endpoint's transport as Colibri2 answers it (PROTOCOL.md §5.3). */
export function toColibri2Transport(
  local: MediaTransport,
  webSocketUrl: string | undefined,
  sctp: boolean,
): Colibri2Transport {
  const ice: IceUdpTransport = {
    ufrag: local.ufrag,
    pwd: local.pwd,
    rtcpMux: true,
    fingerprints: local.fingerprints.map((f) => ({ hash: f.hash, value: f.value, setup: 'actpass' })),
    candidates: local.candidates.map(toJingleCandidate),
    webSockets: webSocketUrl === undefined ? [] : [webSocketUrl],
  };
  const t: Colibri2Transport = { ice };
  if (sctp) t.sctp = { port: SCTP_PORT, role: 'server' };
  return t;
}

function toJingleCandidate(c: MediaCandidate, i: number): IceCandidate {
  return {
    component: 1,
    foundation: String(i + 1),
    generation: 0,
    id: `c${(i + 1).toString(16)}${c.port.toString(16)}`,
    ip: c.address,
    network: 0,
    port: c.port,
    priority: c.priority,
    protocol: 'udp',
    type: c.type,
  };
}

/** Colibri2 sources as the conference keeps them: every SSRC with its kind and source name, and the groups. */
export function toSourceParams(list: readonly MediaSource[]): { sources: SourceParams[]; groups: SsrcGroupParams[] } {
  const sources: SourceParams[] = [];
  const groups: SsrcGroupParams[] = [];
  for (const ms of list) {
    // A FID group pairs a primary SSRC with its RTX SSRC: the forwarder answers NACKs on the RTX one.
    const rtx = new Map<number, number>();
    for (const g of ms.groups) if (g.semantics === 'FID' && g.ssrcs.length === 2) rtx.set(g.ssrcs[0]!, g.ssrcs[1]!);
    for (const s of ms.sources) {
      const rtxSsrc = rtx.get(s.ssrc);
      const out: SourceParams = { ssrc: s.ssrc, kind: ms.type, name: ms.id };
      if (rtxSsrc !== undefined) out.rtxSsrc = rtxSsrc;
      if (s.videoType !== undefined && ms.type === 'video') out.videoType = s.videoType;
      sources.push(out);
    }
    for (const g of ms.groups) groups.push({ semantics: g.semantics, ssrcs: [...g.ssrcs] });
  }
  return { sources, groups };
}

/** The bridge's feedback sources of a conference, as every create answers them (PROTOCOL.md §5.3). */
export function feedbackSources(conf: Conference): MediaSource[] {
  const audio = toSourceName('jvb-a0');
  const video = toSourceName('jvb-v0');
  const one = (type: 'audio' | 'video', name: typeof audio, ssrc: number): MediaSource => ({
    type,
    id: name,
    sources: [{ ssrc: ssrc as Ssrc, name, parameters: [] }],
    groups: [],
  });
  return [one('audio', audio, conf.feedbackSsrcs.audio), one('video', video, conf.feedbackSsrcs.video)];
}

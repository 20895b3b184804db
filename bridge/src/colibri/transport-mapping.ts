// Translates between Jingle ICE-UDP transports (protocol codecs) and the media core's plain parameters.
import type { Colibri2Transport } from '@convene/protocol/colibri2';
import type { IceCandidate, IceUdpTransport } from '@convene/protocol/jingle';
import type { MediaCandidate, MediaFingerprint, MediaTransport } from './media-port.js';
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

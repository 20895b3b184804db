// The SDP the bench's raw peers exchange with Janus's VideoRoom: a publisher's offer, a subscriber's answer,
// and reading Janus's transport back out of its SDP.
import type { IceCandidate, TransportParams } from '@convene/bridge/conference';

/**
 * The publisher's offer: audio (opus) and video (VP8), BUNDLE, rtcp-mux, one host candidate. Setup active: our
 * peers are DTLS clients, since OpenSSL 3 as a client refuses a server without renegotiation_info (RFC 5746).
 */
export function publisherOffer(t: TransportParams, audioSsrc: number, videoSsrc: number): string {
  const fp = t.fingerprints[0]!;
  const c = t.candidates[0]!;
  const common = [
    'c=IN IP4 0.0.0.0',
    'a=sendonly',
    'a=rtcp-mux',
    `a=ice-ufrag:${t.ufrag}`,
    `a=ice-pwd:${t.pwd}`,
    `a=fingerprint:${fp.hash} ${fp.value}`,
    'a=setup:active',
  ];
  const cand = `a=candidate:1 1 udp ${c.priority} ${c.address} ${c.port} typ host`;
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...common,
    'a=mid:0',
    'a=rtpmap:111 opus/48000/2',
    cand,
    'a=end-of-candidates',
    `a=ssrc:${audioSsrc} cname:bench`,
    'm=video 9 UDP/TLS/RTP/SAVPF 100',
    ...common,
    'a=mid:1',
    'a=rtpmap:100 VP8/90000',
    cand,
    'a=end-of-candidates',
    `a=ssrc:${videoSsrc} cname:bench`,
    '',
  ].join('\r\n');
}

/** Our answer to a subscriber offer: every m-line received only, its first payload type, setup active. */
export function subscriberAnswer(offer: string, t: TransportParams): string {
  const fp = t.fingerprints[0]!;
  const c = t.candidates[0]!;
  const sections = offer.split(/\r?\nm=/).slice(1);
  const mids: string[] = [];
  const media = sections.flatMap((sec) => {
    const [mline = ''] = sec.split(/\r?\n/);
    const [kind = 'audio', , proto = '', pt = '0'] = mline.split(' ');
    const mid = /^a=mid:(\S+)/m.exec(sec)?.[1] ?? String(mids.length);
    mids.push(mid);
    if (kind === 'application' || proto !== 'UDP/TLS/RTP/SAVPF') return [`m=${kind} 0 ${proto} ${pt}`, `a=mid:${mid}`];
    const rtpmap = new RegExp(`^a=rtpmap:${pt} .*$`, 'm').exec(sec)?.[0];
    return [
      `m=${kind} 9 ${proto} ${pt}`,
      'c=IN IP4 0.0.0.0',
      `a=mid:${mid}`,
      'a=recvonly',
      'a=rtcp-mux',
      ...(rtpmap === undefined ? [] : [rtpmap]),
      `a=ice-ufrag:${t.ufrag}`,
      `a=ice-pwd:${t.pwd}`,
      `a=fingerprint:${fp.hash} ${fp.value}`,
      'a=setup:active',
      `a=candidate:1 1 udp ${c.priority} ${c.address} ${c.port} typ host`,
      'a=end-of-candidates',
    ];
  });
  return ['v=0', 'o=- 2 1 IN IP4 127.0.0.1', 's=-', 't=0 0', `a=group:BUNDLE ${mids.join(' ')}`, ...media, ''].join(
    '\r\n',
  );
}

/** Janus's transport from its SDP (first section's credentials; its IPv4 host candidates). */
export function sdpTransport(sdp: string): TransportParams {
  const line = (name: string): string => {
    const m = new RegExp(`^a=${name}:(.*)$`, 'm').exec(sdp);
    if (m === null) throw new Error(`janus sdp has no a=${name}`);
    return m[1]!.trim();
  };
  const [hash = '', value = ''] = line('fingerprint').split(' ');
  const candidates: IceCandidate[] = [];
  for (const m of sdp.matchAll(/^a=candidate:\S+ 1 udp (\d+) (\d+\.\d+\.\d+\.\d+) (\d+) typ host/gim))
    candidates.push({ priority: Number(m[1]), address: m[2]!, port: Number(m[3]), type: 'host' });
  if (candidates.length === 0) throw new Error('janus sdp has no IPv4 host candidate');
  return {
    ufrag: line('ice-ufrag'),
    pwd: line('ice-pwd'),
    fingerprints: [{ hash, value, setup: line('setup') as 'active' | 'passive' | 'actpass' }],
    candidates,
  };
}

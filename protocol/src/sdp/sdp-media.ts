import type { MediaAttributes, MediaDescription } from 'sdp-transform';
import { ProtocolError } from '../lib/errors.js';
import type { ContentSenders } from '../jingle/content.js';
import type { IceCandidate } from '../jingle/candidate.js';
import { CANDIDATE_PROTOCOLS, CANDIDATE_TYPES, TCP_TYPES } from '../jingle/candidate.js';
import type { PayloadParameter } from '../jingle/payload-type.js';

/** One sdp-transform candidate line. */
export type SdpCandidate = NonNullable<MediaAttributes['candidates']>[number];
/** SDP direction attribute. */
export type SdpDirection = NonNullable<MediaDescription['direction']>;

// lib-jitsi-meet SDP.ts: content@senders <-> a=<direction>, from the initiator's point of view.
const DIRECTION_OF: Record<Exclude<ContentSenders, 'rejected'>, SdpDirection> = {
  both: 'sendrecv',
  initiator: 'sendonly',
  responder: 'recvonly',
  none: 'inactive',
};

/** The SDP direction for a content's senders (undefined: none written). */
export function directionOf(senders: ContentSenders | undefined): SdpDirection | undefined {
  return senders === undefined || senders === 'rejected' ? undefined : DIRECTION_OF[senders];
}

/** The content senders for an SDP direction. */
export function sendersOf(direction: SdpDirection | undefined): ContentSenders | undefined {
  for (const [senders, dir] of Object.entries(DIRECTION_OF)) if (dir === direction) return senders as ContentSenders;
  return undefined;
}

/** `a=fmtp` config text: `name=value;…`, a nameless parameter as its bare value. */
export function fmtpConfig(params: readonly PayloadParameter[]): string {
  return params.map((p) => (p.name === undefined ? p.value : `${p.name}=${p.value}`)).join(';');
}

/** Splits `a=fmtp` config text into parameters. */
export function parseFmtpConfig(config: string): PayloadParameter[] {
  return config
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { value: part } : { name: part.slice(0, eq), value: part.slice(eq + 1) };
    });
}

/** Jingle candidate -> sdp-transform candidate. */
export function toSdpCandidate(c: IceCandidate): SdpCandidate {
  const s: SdpCandidate = {
    foundation: c.foundation,
    component: c.component,
    transport: c.protocol,
    priority: c.priority,
    ip: c.ip,
    port: c.port,
    type: c.type,
  };
  if (c.relAddr !== undefined) s.raddr = c.relAddr;
  if (c.relPort !== undefined) s.rport = c.relPort;
  if (c.tcptype !== undefined) s.tcptype = c.tcptype;
  if (c.generation !== undefined) s.generation = c.generation;
  if (c.network !== undefined) s['network-id'] = c.network;
  return s;
}

/** sdp-transform candidate -> Jingle candidate; unknown protocol/type values throw `unknown-value`. */
export function fromSdpCandidate(s: SdpCandidate): IceCandidate {
  const protocol = String(s.transport).toLowerCase();
  if (!(CANDIDATE_PROTOCOLS as readonly string[]).includes(protocol))
    throw new ProtocolError('unknown-value', `a=candidate transport "${s.transport}" is not udp or tcp`);
  if (!(CANDIDATE_TYPES as readonly string[]).includes(s.type))
    throw new ProtocolError('unknown-value', `a=candidate type "${s.type}" is unknown`);
  const c: IceCandidate = {
    component: checkInt('a=candidate component', s.component, 1, 256),
    foundation: String(s.foundation),
    generation: s.generation === undefined ? 0 : checkInt('a=candidate generation', s.generation, 0, 0xffff),
    ip: String(s.ip),
    port: checkInt('a=candidate port', s.port, 0, 65535),
    priority: checkInt('a=candidate priority', s.priority, 0, 0xffffffff),
    protocol: protocol as IceCandidate['protocol'],
    type: s.type as IceCandidate['type'],
  };
  // XEP-0176 requires an id; lib-jitsi-meet makes a random one. Ours is derived so output stays reproducible.
  c.id = `${c.foundation}-${c.component}-${c.protocol}-${c.port}`;
  if (s['network-id'] !== undefined) c.network = checkInt('a=candidate network-id', s['network-id'], 0, 0xffff);
  if (s.raddr !== undefined) c.relAddr = s.raddr;
  if (s.rport !== undefined) c.relPort = checkInt('a=candidate rport', s.rport, 0, 65535);
  if (s.tcptype !== undefined) {
    if (!(TCP_TYPES as readonly string[]).includes(s.tcptype))
      throw new ProtocolError('unknown-value', `a=candidate tcptype "${s.tcptype}" is unknown`);
    c.tcptype = s.tcptype as IceCandidate['tcptype'];
  }
  return c;
}

/** An integer field of a parsed SDP in [min, max], else `bad-number`/`out-of-range`. */
export function checkInt(where: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new ProtocolError('bad-number', `${where} is not an integer: ${String(v)}`);
  if (n < min || n > max) throw new ProtocolError('out-of-range', `${where} ${n} not in ${min}..${max}`);
  return n;
}

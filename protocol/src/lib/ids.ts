import { ProtocolError } from './errors.js';

/** Endpoint id: the participant's MUC nick, used in Colibri2, sources and the bridge channel. */
export type EndpointId = string & { readonly __brand: 'EndpointId' };
/** Jitsi source name, `<endpoint>-a<n>` / `<endpoint>-v<n>` (or `jvb-a0` for the bridge). */
export type SourceName = string & { readonly __brand: 'SourceName' };
/** Colibri2 meeting id (the room's `muc#roominfo_meetingId`). */
export type MeetingId = string & { readonly __brand: 'MeetingId' };
/** RTP synchronisation source, 1..0xFFFFFFFF. */
export type Ssrc = number & { readonly __brand: 'Ssrc' };

const MAX_SSRC = 0xffffffff;

/** Checks and brands an endpoint id (non-empty, no whitespace). */
export function toEndpointId(s: string): EndpointId {
  if (s === '' || /\s/.test(s)) throw new ProtocolError('bad-id', `invalid endpoint id "${s}"`);
  return s as EndpointId;
}

/** Checks and brands a source name (non-empty, no whitespace). */
export function toSourceName(s: string): SourceName {
  if (s === '' || /\s/.test(s)) throw new ProtocolError('bad-id', `invalid source name "${s}"`);
  return s as SourceName;
}

/** Checks and brands a meeting id (non-empty). */
export function toMeetingId(s: string): MeetingId {
  if (s.trim() === '') throw new ProtocolError('bad-id', 'empty meeting id');
  return s as MeetingId;
}

/** Checks and brands an SSRC: an integer in 1..0xFFFFFFFF. */
export function toSsrc(n: number): Ssrc {
  if (!Number.isInteger(n)) throw new ProtocolError('bad-number', `SSRC is not an integer: ${n}`);
  if (n < 1 || n > MAX_SSRC) throw new ProtocolError('out-of-range', `SSRC ${n} not in 1..${MAX_SSRC}`);
  return n as Ssrc;
}

/** Parses an SSRC written in decimal. */
export function parseSsrc(where: string, raw: string): Ssrc {
  if (!/^\d+$/.test(raw)) throw new ProtocolError('bad-number', `${where} is not an SSRC: "${raw}"`);
  const n = Number(raw);
  if (n < 1 || n > MAX_SSRC) throw new ProtocolError('out-of-range', `${where} SSRC ${raw} not in 1..${MAX_SSRC}`);
  return n as Ssrc;
}

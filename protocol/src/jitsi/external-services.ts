// XEP-0215 (External Service Discovery, extdisco:2): the STUN and TURN servers an XMPP server hands its clients,
// with time-limited TURN credentials (Prosody's mod_external_services, from the secret it shares with coturn). A
// client asks `<services xmlns='urn:xmpp:extdisco:2'/>` of its domain and turns the answer into RTCIceServers, as
// lib-jitsi-meet does.
import type { Element } from 'ltx';
import { NS_EXTDISCO } from '../xml/namespaces.js';
import { xmlElement } from '../xml/build-element.js';
import { childrenOf, expectElement, optAttr } from '../xml/read-element.js';

export const EXTERNAL_SERVICE_TYPES = ['stun', 'turn', 'turns'] as const;
export type ExternalServiceType = (typeof EXTERNAL_SERVICE_TYPES)[number];

/** One `<service/>` this codec can use (other types, like `ftp`, are skipped). */
export interface ExternalService {
  type: ExternalServiceType;
  host: string;
  /** Absent: the protocol's default (3478, turns 5349). */
  port?: number;
  /** `udp` or `tcp`; absent: the URL names none and the browser picks. */
  transport?: 'udp' | 'tcp';
  username?: string;
  password?: string;
  /** When the credentials stop working (`expires`, an XEP-0082 date-time), in ms since the epoch. */
  expiresAt?: number;
}

/** A WebRTC `RTCIceServer` (the DOM type, redeclared: this package has no DOM). */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** The query: every service of the server (`to` is the client's domain). */
export function buildServicesQuery(): Element {
  return xmlElement('services', { xmlns: NS_EXTDISCO });
}

/** A DNS name or an IPv4 address: letters, digits, dots and dashes. IPv6 literals: hex digits and colons. */
const HOSTNAME = /^[A-Za-z0-9.-]{1,253}$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

function serviceOf(el: Element): ExternalService | undefined {
  const type = optAttr(el, 'type');
  const host = optAttr(el, 'host') ?? '';
  if (!(EXTERNAL_SERVICE_TYPES as readonly string[]).includes(type ?? '')) return undefined;
  if (!HOSTNAME.test(host) && !(host.includes(':') && IPV6.test(host))) return undefined;
  const s: ExternalService = { type: type as ExternalServiceType, host };
  const port = optAttr(el, 'port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
    s.port = Number(port);
  }
  const transport = optAttr(el, 'transport');
  if (transport === 'udp' || transport === 'tcp') s.transport = transport;
  else if (transport !== undefined) return undefined;
  const username = optAttr(el, 'username');
  const password = optAttr(el, 'password');
  if (username !== undefined) s.username = username;
  if (password !== undefined) s.password = password;
  const expires = Date.parse(optAttr(el, 'expires') ?? '');
  if (Number.isFinite(expires)) s.expiresAt = expires;
  return s;
}

/**
 * The usable services of a `<services xmlns='urn:xmpp:extdisco:2'>` answer. One malformed or unknown `<service/>`
 * (a bad port, a host that is not a host name or address, an unknown type or transport) is left out, not the whole
 * answer; a wrong root element throws (ProtocolError).
 */
export function parseExternalServices(el: Element): ExternalService[] {
  expectElement(el, 'services', NS_EXTDISCO);
  const out: ExternalService[] = [];
  for (const child of childrenOf(el, 'service', NS_EXTDISCO)) {
    const s = serviceOf(child);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** `stun:host:port`, `turn:host:port?transport=udp`, `turns:host:port?transport=tcp` (RFC 7064, RFC 7065). */
export function iceServerUrl(s: ExternalService): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  const port = s.port === undefined ? '' : `:${s.port}`;
  const transport = s.type === 'stun' || s.transport === undefined ? '' : `?transport=${s.transport}`;
  return `${s.type}:${host}${port}${transport}`;
}

/**
 * The services as RTCIceServers for `new RTCPeerConnection({ iceServers })`. A TURN service without both credentials
 * is left out: browsers refuse a `turn:` URL without them and would throw for the whole configuration.
 */
export function iceServersOf(services: readonly ExternalService[]): IceServer[] {
  const out: IceServer[] = [];
  for (const s of services) {
    if (s.type === 'stun') out.push({ urls: iceServerUrl(s) });
    else if (s.username !== undefined && s.password !== undefined)
      out.push({ urls: iceServerUrl(s), username: s.username, credential: s.password });
  }
  return out;
}

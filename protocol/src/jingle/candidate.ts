import type { Element } from 'ltx';
import { NS_JINGLE_ICE_UDP } from '../xml/namespaces.js';
import { expectElement, optAttr, optEnum, optInt, reqAttr, reqEnum, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
export const CANDIDATE_PROTOCOLS = ['udp', 'tcp', 'ssltcp'] as const;
export const TCP_TYPES = ['active', 'passive', 'so'] as const;

/** `<candidate>` of an ICE-UDP transport (XEP-0176), every attribute Jitsi uses. */
export interface IceCandidate {
  component: number;
  foundation: string;
  generation?: number;
  id?: string;
  ip: string;
  network?: number;
  port: number;
  priority: number;
  protocol: (typeof CANDIDATE_PROTOCOLS)[number];
  type: (typeof CANDIDATE_TYPES)[number];
  relAddr?: string;
  relPort?: number;
  tcptype?: (typeof TCP_TYPES)[number];
}

/** Parses `<candidate>`; mDNS `*.local` addresses are kept (the consumer decides to ignore them). */
export function parseCandidate(el: Element): IceCandidate {
  expectElement(el, 'candidate', NS_JINGLE_ICE_UDP);
  const c: IceCandidate = {
    component: reqInt(el, 'component', 1, 256),
    foundation: reqAttr(el, 'foundation'),
    ip: reqAttr(el, 'ip'),
    port: reqInt(el, 'port', 0, 65535),
    priority: reqInt(el, 'priority', 0, 0xffffffff),
    protocol: reqEnum(el, 'protocol', CANDIDATE_PROTOCOLS),
    type: reqEnum(el, 'type', CANDIDATE_TYPES),
  };
  const generation = optInt(el, 'generation', 0, 0xffff);
  if (generation !== undefined) c.generation = generation;
  const id = optAttr(el, 'id');
  if (id !== undefined) c.id = id;
  const network = optInt(el, 'network', 0, 0xffff);
  if (network !== undefined) c.network = network;
  const relAddr = optAttr(el, 'rel-addr');
  if (relAddr !== undefined) c.relAddr = relAddr;
  const relPort = optInt(el, 'rel-port', 0, 65535);
  if (relPort !== undefined) c.relPort = relPort;
  const tcptype = optEnum(el, 'tcptype', TCP_TYPES);
  if (tcptype !== undefined) c.tcptype = tcptype;
  return c;
}

/** Builds `<candidate>` (inherits the ice-udp namespace from its transport). */
export function buildCandidate(c: IceCandidate): Element {
  return xmlElement('candidate', {
    component: c.component,
    foundation: c.foundation,
    generation: c.generation,
    id: c.id,
    ip: c.ip,
    network: c.network,
    port: c.port,
    priority: c.priority,
    protocol: c.protocol,
    'rel-addr': c.relAddr,
    'rel-port': c.relPort,
    tcptype: c.tcptype,
    type: c.type,
  });
}

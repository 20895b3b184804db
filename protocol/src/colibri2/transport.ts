import type { Element } from 'ltx';
import { NS_COLIBRI2, NS_JINGLE_ICE_UDP } from '../xml/namespaces.js';
import { expectElement, optBool, optChild, optEnum, optInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type IceUdpTransport, buildIceUdpTransport, parseIceUdpTransport } from '../jingle/ice-udp-transport.js';

export const SCTP_ROLES = ['client', 'server'] as const;

/** `<sctp port? role?>`: empty in a request asks for a data channel; JVB answers port 5000, role server. */
export interface Colibri2Sctp {
  port?: number;
  role?: (typeof SCTP_ROLES)[number];
}

/** Colibri2 `<transport>` wrapping an ICE-UDP transport and SCTP. */
export interface Colibri2Transport {
  iceControlling?: boolean;
  useUniquePort?: boolean;
  iceRestart?: boolean;
  ice?: IceUdpTransport;
  sctp?: Colibri2Sctp;
}

/** Parses `<transport xmlns="jitsi:colibri2">`. */
export function parseColibri2Transport(el: Element): Colibri2Transport {
  expectElement(el, 'transport', NS_COLIBRI2);
  const t: Colibri2Transport = {};
  const iceControlling = optBool(el, 'ice-controlling');
  if (iceControlling !== undefined) t.iceControlling = iceControlling;
  const useUniquePort = optBool(el, 'use-unique-port');
  if (useUniquePort !== undefined) t.useUniquePort = useUniquePort;
  const iceRestart = optBool(el, 'ice-restart');
  if (iceRestart !== undefined) t.iceRestart = iceRestart;
  const ice = optChild(el, 'transport', NS_JINGLE_ICE_UDP);
  if (ice !== undefined) t.ice = parseIceUdpTransport(ice);
  const sctp = optChild(el, 'sctp', NS_COLIBRI2);
  if (sctp !== undefined) {
    t.sctp = {};
    const port = optInt(sctp, 'port', 0, 65535);
    if (port !== undefined) t.sctp.port = port;
    const role = optEnum(sctp, 'role', SCTP_ROLES);
    if (role !== undefined) t.sctp.role = role;
  }
  return t;
}

/** Builds `<transport>` (inherits the colibri2 namespace). */
export function buildColibri2Transport(t: Colibri2Transport): Element {
  return xmlElement(
    'transport',
    { 'ice-controlling': t.iceControlling, 'use-unique-port': t.useUniquePort, 'ice-restart': t.iceRestart },
    [
      t.ice !== undefined && buildIceUdpTransport(t.ice),
      t.sctp !== undefined && xmlElement('sctp', { port: t.sctp.port, role: t.sctp.role }),
    ],
  );
}

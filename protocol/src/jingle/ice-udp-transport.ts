import type { Element } from 'ltx';
import { NS_COLIBRI, NS_JINGLE_DTLS, NS_JINGLE_ICE_UDP, NS_JINGLE_SCTP } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optChild, optInt, reqAttr, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type Fingerprint, buildFingerprint, parseFingerprint } from './fingerprint.js';
import { type IceCandidate, buildCandidate, parseCandidate } from './candidate.js';

/** `<sctpmap number protocol streams?>`: `number` is the SCTP port (`a=sctp-port`). */
export interface SctpMap {
  number: number;
  protocol: string;
  streams?: number;
}

/** `<transport xmlns="urn:xmpp:jingle:transports:ice-udp:1">` with DTLS, candidates, colibri-ws and SCTP. */
export interface IceUdpTransport {
  ufrag?: string;
  pwd?: string;
  rtcpMux: boolean;
  fingerprints: Fingerprint[];
  candidates: IceCandidate[];
  /** `<web-socket xmlns="http://jitsi.org/protocol/colibri" url>`: bridge channel URLs. */
  webSockets: string[];
  sctpMap?: SctpMap;
}

/** Parses an ICE-UDP transport. */
export function parseIceUdpTransport(el: Element): IceUdpTransport {
  expectElement(el, 'transport', NS_JINGLE_ICE_UDP);
  const t: IceUdpTransport = {
    rtcpMux: optChild(el, 'rtcp-mux', NS_JINGLE_ICE_UDP) !== undefined,
    fingerprints: childrenOf(el, 'fingerprint', NS_JINGLE_DTLS).map(parseFingerprint),
    candidates: childrenOf(el, 'candidate', NS_JINGLE_ICE_UDP).map(parseCandidate),
    webSockets: childrenOf(el, 'web-socket', NS_COLIBRI).map((w) => reqAttr(w, 'url')),
  };
  const ufrag = optAttr(el, 'ufrag');
  if (ufrag !== undefined) t.ufrag = ufrag;
  const pwd = optAttr(el, 'pwd');
  if (pwd !== undefined) t.pwd = pwd;
  const sctp = optChild(el, 'sctpmap', NS_JINGLE_SCTP);
  if (sctp !== undefined) {
    t.sctpMap = { number: reqInt(sctp, 'number', 0, 65535), protocol: reqAttr(sctp, 'protocol') };
    const streams = optInt(sctp, 'streams', 0, 65535);
    if (streams !== undefined) t.sctpMap.streams = streams;
  }
  return t;
}

/** Builds the transport in Jicofo's order: rtcp-mux, fingerprint, candidates, web-socket, sctpmap. */
export function buildIceUdpTransport(t: IceUdpTransport): Element {
  return xmlElement('transport', { xmlns: NS_JINGLE_ICE_UDP, ufrag: t.ufrag, pwd: t.pwd }, [
    t.rtcpMux && xmlElement('rtcp-mux'),
    ...t.fingerprints.map(buildFingerprint),
    ...t.candidates.map(buildCandidate),
    ...t.webSockets.map((url) => xmlElement('web-socket', { xmlns: NS_COLIBRI, url })),
    t.sctpMap !== undefined &&
      xmlElement('sctpmap', {
        xmlns: NS_JINGLE_SCTP,
        number: t.sctpMap.number,
        protocol: t.sctpMap.protocol,
        streams: t.sctpMap.streams,
      }),
  ]);
}

/** An ICE-UDP transport with nothing in it. */
export function emptyIceUdpTransport(): IceUdpTransport {
  return { rtcpMux: false, fingerprints: [], candidates: [], webSockets: [] };
}

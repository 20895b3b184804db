import type { Element } from 'ltx';
import { NS_JINGLE_HDREXT, NS_JINGLE_RTCP_FB, NS_JINGLE_RTP, NS_JINGLE_SSMA } from '../xml/namespaces.js';
import { childrenOf, expectElement, optChild, optInt, reqEnum } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type Source, buildSource, parseSource } from '../sources/source.js';
import { type SsrcGroup, buildSsrcGroup, parseSsrcGroup } from '../sources/ssrc-group.js';
import { type PayloadType, buildPayloadType, parsePayloadType } from './payload-type.js';
import { type HeaderExtension, buildHeaderExtension, parseHeaderExtension } from './header-extension.js';
import { type RtcpFb, buildRtcpFb, parseRtcpFb } from './rtcp-fb.js';

export const MEDIA_TYPES = ['audio', 'video', 'application'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** `<description xmlns="urn:xmpp:jingle:apps:rtp:1" media>`: codecs, header extensions, sources. */
export interface RtpDescription {
  media: MediaType;
  maxptime?: number;
  payloadTypes: PayloadType[];
  headerExtensions: HeaderExtension[];
  /** rtcp-fb for all payload types (`a=rtcp-fb:*`). */
  rtcpFbs: RtcpFb[];
  extmapAllowMixed: boolean;
  rtcpMux: boolean;
  sources: Source[];
  ssrcGroups: SsrcGroup[];
}

/** Parses an RTP `<description>`. */
export function parseRtpDescription(el: Element): RtpDescription {
  expectElement(el, 'description', NS_JINGLE_RTP);
  const desc: RtpDescription = {
    media: reqEnum(el, 'media', MEDIA_TYPES),
    payloadTypes: childrenOf(el, 'payload-type', NS_JINGLE_RTP).map(parsePayloadType),
    headerExtensions: childrenOf(el, 'rtp-hdrext', NS_JINGLE_HDREXT).map(parseHeaderExtension),
    rtcpFbs: childrenOf(el, 'rtcp-fb', NS_JINGLE_RTCP_FB).map(parseRtcpFb),
    extmapAllowMixed: optChild(el, 'extmap-allow-mixed', NS_JINGLE_HDREXT) !== undefined,
    rtcpMux: optChild(el, 'rtcp-mux', NS_JINGLE_RTP) !== undefined,
    sources: childrenOf(el, 'source', NS_JINGLE_SSMA).map(parseSource),
    ssrcGroups: childrenOf(el, 'ssrc-group', NS_JINGLE_SSMA).map(parseSsrcGroup),
  };
  const maxptime = optInt(el, 'maxptime', 0, 0xffff);
  if (maxptime !== undefined) desc.maxptime = maxptime;
  return desc;
}

/** Builds `<description>` in the order Jicofo writes it. */
export function buildRtpDescription(d: RtpDescription): Element {
  return xmlElement('description', { xmlns: NS_JINGLE_RTP, media: d.media, maxptime: d.maxptime }, [
    ...d.payloadTypes.map(buildPayloadType),
    ...d.rtcpFbs.map(buildRtcpFb),
    ...d.headerExtensions.map(buildHeaderExtension),
    d.extmapAllowMixed && xmlElement('extmap-allow-mixed', { xmlns: NS_JINGLE_HDREXT }),
    ...d.sources.map(buildSource),
    ...d.ssrcGroups.map(buildSsrcGroup),
    d.rtcpMux && xmlElement('rtcp-mux'),
  ]);
}

/** A description with nothing in it (e.g. the `data` content's `media="application"`). */
export function emptyRtpDescription(media: MediaType): RtpDescription {
  return {
    media,
    payloadTypes: [],
    headerExtensions: [],
    rtcpFbs: [],
    extmapAllowMixed: false,
    rtcpMux: false,
    sources: [],
    ssrcGroups: [],
  };
}

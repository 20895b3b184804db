import type { Element } from 'ltx';
import { NS_COLIBRI2, NS_JINGLE_HDREXT, NS_JINGLE_RTP } from '../xml/namespaces.js';
import { childrenOf, expectElement, optChild, reqEnum } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type PayloadType, buildPayloadType, parsePayloadType } from '../jingle/payload-type.js';
import { type HeaderExtension, buildHeaderExtension, parseHeaderExtension } from '../jingle/header-extension.js';

export const COLIBRI2_MEDIA_TYPES = ['audio', 'video'] as const;
export type Colibri2MediaType = (typeof COLIBRI2_MEDIA_TYPES)[number];

/** `<media type>`: the offer's payload types and header extensions, with the offer's numbering. */
export interface Colibri2Media {
  type: Colibri2MediaType;
  payloadTypes: PayloadType[];
  headerExtensions: HeaderExtension[];
  extmapAllowMixed: boolean;
}

/** Parses `<media xmlns="jitsi:colibri2" type>`. */
export function parseColibri2Media(el: Element): Colibri2Media {
  expectElement(el, 'media', NS_COLIBRI2);
  return {
    type: reqEnum(el, 'type', COLIBRI2_MEDIA_TYPES),
    payloadTypes: childrenOf(el, 'payload-type', NS_JINGLE_RTP).map(parsePayloadType),
    headerExtensions: childrenOf(el, 'rtp-hdrext', NS_JINGLE_HDREXT).map(parseHeaderExtension),
    extmapAllowMixed: optChild(el, 'extmap-allow-mixed', NS_JINGLE_HDREXT) !== undefined,
  };
}

/** Builds `<media>` (inherits the colibri2 namespace). */
export function buildColibri2Media(m: Colibri2Media): Element {
  return xmlElement('media', { type: m.type }, [
    ...m.payloadTypes.map(buildPayloadType),
    ...m.headerExtensions.map(buildHeaderExtension),
    m.extmapAllowMixed && xmlElement('extmap-allow-mixed', { xmlns: NS_JINGLE_HDREXT }),
  ]);
}

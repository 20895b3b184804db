import type { Element } from 'ltx';
import { NS_COLIBRI2, NS_JINGLE, NS_JINGLE_ICE_UDP, NS_JINGLE_RTP } from '../xml/namespaces.js';
import { expectElement, optChild, optEnum, reqAttr, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type RtpDescription, buildRtpDescription, parseRtpDescription } from './rtp-description.js';
import { type IceUdpTransport, buildIceUdpTransport, parseIceUdpTransport } from './ice-udp-transport.js';

export const CONTENT_CREATORS = ['initiator', 'responder'] as const;
export const CONTENT_SENDERS = ['both', 'initiator', 'responder', 'none', 'rejected'] as const;
export type ContentSenders = (typeof CONTENT_SENDERS)[number];

/** `<content creator? name senders?>`: Jitsi names them `audio`, `video`, `data` (mids in transport-info). */
export interface JingleContent {
  creator?: (typeof CONTENT_CREATORS)[number];
  name: string;
  senders?: ContentSenders;
  description?: RtpDescription;
  transport?: IceUdpTransport;
  /** `<initial-last-n xmlns="jitsi:colibri2" value>` sent by the client in the video content. */
  initialLastN?: number;
}

/** Parses `<content>` (in the jingle namespace). */
export function parseContent(el: Element): JingleContent {
  expectElement(el, 'content', NS_JINGLE);
  const c: JingleContent = { name: reqAttr(el, 'name') };
  const creator = optEnum(el, 'creator', CONTENT_CREATORS);
  if (creator !== undefined) c.creator = creator;
  const senders = optEnum(el, 'senders', CONTENT_SENDERS);
  if (senders !== undefined) c.senders = senders;
  const desc = optChild(el, 'description', NS_JINGLE_RTP);
  if (desc !== undefined) c.description = parseRtpDescription(desc);
  const transport = optChild(el, 'transport', NS_JINGLE_ICE_UDP);
  if (transport !== undefined) c.transport = parseIceUdpTransport(transport);
  const lastN = optChild(el, 'initial-last-n', NS_COLIBRI2);
  if (lastN !== undefined) c.initialLastN = reqInt(lastN, 'value', -1, 0x7fffffff);
  return c;
}

/** Builds `<content>`. */
export function buildContent(c: JingleContent): Element {
  return xmlElement('content', { creator: c.creator, name: c.name, senders: c.senders }, [
    c.initialLastN !== undefined && xmlElement('initial-last-n', { xmlns: NS_COLIBRI2, value: c.initialLastN }),
    c.description !== undefined && buildRtpDescription(c.description),
    c.transport !== undefined && buildIceUdpTransport(c.transport),
  ]);
}

import type { Element } from 'ltx';
import { NS_JINGLE_RTCP_FB, NS_JINGLE_RTP } from '../xml/namespaces.js';
import { childrenOf, expectElement, optAttr, optInt, reqAttr, reqInt } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { ProtocolError } from '../lib/errors.js';
import { type RtcpFb, buildRtcpFb, parseRtcpFb } from './rtcp-fb.js';

/** One fmtp parameter; `name` is absent for a bare value such as RED's `111/111`. */
export interface PayloadParameter {
  name?: string;
  value: string;
}

/** `<payload-type id name clockrate channels?>` with fmtp parameters and rtcp-fb. */
export interface PayloadType {
  id: number;
  name: string;
  clockrate?: number;
  channels?: number;
  maxptime?: number;
  ptime?: number;
  parameters: PayloadParameter[];
  rtcpFbs: RtcpFb[];
}

/** Parses `<payload-type xmlns="urn:xmpp:jingle:apps:rtp:1">`. */
export function parsePayloadType(el: Element): PayloadType {
  expectElement(el, 'payload-type', NS_JINGLE_RTP);
  const pt: PayloadType = { id: reqInt(el, 'id', 0, 127), name: reqAttr(el, 'name'), parameters: [], rtcpFbs: [] };
  const clockrate = optInt(el, 'clockrate', 1, 0xffffffff);
  if (clockrate !== undefined) pt.clockrate = clockrate;
  const channels = optInt(el, 'channels', 1, 255);
  if (channels !== undefined) pt.channels = channels;
  const maxptime = optInt(el, 'maxptime', 0, 0xffff);
  if (maxptime !== undefined) pt.maxptime = maxptime;
  const ptime = optInt(el, 'ptime', 0, 0xffff);
  if (ptime !== undefined) pt.ptime = ptime;
  for (const p of childrenOf(el, 'parameter', NS_JINGLE_RTP)) {
    const name = optAttr(p, 'name');
    const value = optAttr(p, 'value') ?? '';
    if ((name === undefined || name === '') && value === '')
      throw new ProtocolError('missing-attribute', `<parameter> of payload-type ${pt.id} needs 'name' or 'value'`);
    pt.parameters.push(name === undefined || name === '' ? { value } : { name, value });
  }
  pt.rtcpFbs = childrenOf(el, 'rtcp-fb', NS_JINGLE_RTCP_FB).map(parseRtcpFb);
  return pt;
}

/** Builds `<payload-type>` in the rtp namespace (Jingle description and Colibri2 media alike). */
export function buildPayloadType(pt: PayloadType): Element {
  return xmlElement(
    'payload-type',
    {
      xmlns: NS_JINGLE_RTP,
      id: pt.id,
      name: pt.name,
      clockrate: pt.clockrate,
      channels: pt.channels,
      maxptime: pt.maxptime,
      ptime: pt.ptime,
    },
    [
      ...pt.parameters.map((p) => xmlElement('parameter', { name: p.name, value: p.value })),
      ...pt.rtcpFbs.map(buildRtcpFb),
    ],
  );
}

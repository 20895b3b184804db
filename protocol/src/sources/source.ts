import type { Element } from 'ltx';
import { ProtocolError } from '../lib/errors.js';
import { type EndpointId, type SourceName, type Ssrc, parseSsrc, toEndpointId, toSourceName } from '../lib/ids.js';
import { NS_JINGLE_SSMA, NS_JITMEET } from '../xml/namespaces.js';
import { describeElement, expectElement, optAttr, reqAttr, optChild } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { withContext } from '../lib/with-context.js';

export const VIDEO_TYPES = ['camera', 'desktop'] as const;
/** Jitsi video type of a source; absent means camera. */
export type VideoType = (typeof VIDEO_TYPES)[number];

/** One `a=ssrc:<ssrc> <name>:<value>` style parameter other than msid (e.g. cname). */
export interface SourceParameter {
  name: string;
  value?: string;
}

/** One SSRC of a media source: `<source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0">`. */
export interface Source {
  ssrc: Ssrc;
  name?: SourceName;
  videoType?: VideoType;
  /** `ssrc-info@owner`: endpoint id, or `jvb` for the bridge's feedback sources. */
  owner?: EndpointId;
  msid?: string;
  parameters: SourceParameter[];
}

/** Reads a video type case-insensitively (lib-jitsi-meet writes `camera`/`desktop`). */
export function parseVideoType(where: string, raw: string): VideoType {
  const v = raw.toLowerCase();
  if (v === 'camera' || v === 'desktop') return v;
  throw new ProtocolError('unknown-value', `${where} videoType "${raw}" is not camera or desktop`);
}

/** Parses `<source xmlns=ssma ssrc name videoType>` with its `ssrc-info` and `parameter` children. */
export function parseSource(el: Element): Source {
  expectElement(el, 'source', NS_JINGLE_SSMA);
  const where = describeElement(el);
  const source: Source = { ssrc: parseSsrc(`${where} attribute 'ssrc'`, reqAttr(el, 'ssrc')), parameters: [] };
  const name = optAttr(el, 'name');
  if (name !== undefined) source.name = withContext(where, () => toSourceName(name));
  const videoType = optAttr(el, 'videoType');
  if (videoType !== undefined) source.videoType = parseVideoType(where, videoType);
  const info = optChild(el, 'ssrc-info', NS_JITMEET);
  if (info !== undefined) {
    const owner = reqAttr(info, 'owner');
    source.owner = withContext(describeElement(info), () => toEndpointId(owner));
  }
  // Smack-built stanzas may put <parameter> in the rtp namespace; the name is what counts.
  for (const p of el.getChildElements().filter((c) => c.getName() === 'parameter')) {
    const pname = reqAttr(p, 'name');
    const value = optAttr(p, 'value');
    if (pname === 'msid') {
      if (value === undefined || value === '')
        throw new ProtocolError('missing-attribute', `${where} msid needs a value`);
      source.msid = value;
    } else source.parameters.push(value === undefined ? { name: pname } : { name: pname, value });
  }
  return source;
}

/** Builds `<source>`: ssrc-info first, then msid, then the other parameters. */
export function buildSource(s: Source): Element {
  return xmlElement('source', { xmlns: NS_JINGLE_SSMA, ssrc: s.ssrc, name: s.name, videoType: s.videoType }, [
    s.owner !== undefined && xmlElement('ssrc-info', { xmlns: NS_JITMEET, owner: s.owner }),
    s.msid !== undefined && xmlElement('parameter', { name: 'msid', value: s.msid }),
    ...s.parameters.map((p) => xmlElement('parameter', { name: p.name, value: p.value })),
  ]);
}

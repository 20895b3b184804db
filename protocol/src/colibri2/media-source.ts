import type { Element } from 'ltx';
import { NS_COLIBRI2, NS_JINGLE_SSMA } from '../xml/namespaces.js';
import { childrenOf, expectElement, optBool, reqAttr, reqEnum } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';
import { type SourceName, toSourceName } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import { type Source, buildSource, parseSource } from '../sources/source.js';
import { type SsrcGroup, buildSsrcGroup, parseSsrcGroup } from '../sources/ssrc-group.js';
import { COLIBRI2_MEDIA_TYPES, type Colibri2MediaType } from './media.js';

/** `<media-source type id>`: one named source with its SSRCs and groups. */
export interface MediaSource {
  type: Colibri2MediaType;
  id: SourceName;
  synthetic?: boolean;
  sources: Source[];
  groups: SsrcGroup[];
}

/** Parses `<media-source xmlns="jitsi:colibri2">`. */
export function parseMediaSource(el: Element): MediaSource {
  expectElement(el, 'media-source', NS_COLIBRI2);
  const id = reqAttr(el, 'id');
  const ms: MediaSource = {
    type: reqEnum(el, 'type', COLIBRI2_MEDIA_TYPES),
    id: withContext('<media-source>', () => toSourceName(id)),
    sources: childrenOf(el, 'source', NS_JINGLE_SSMA).map(parseSource),
    groups: childrenOf(el, 'ssrc-group', NS_JINGLE_SSMA).map(parseSsrcGroup),
  };
  const synthetic = optBool(el, 'synthetic');
  if (synthetic !== undefined) ms.synthetic = synthetic;
  return ms;
}

/** Builds `<media-source>`. */
export function buildMediaSource(ms: MediaSource): Element {
  return xmlElement('media-source', { type: ms.type, id: ms.id, synthetic: ms.synthetic }, [
    ...ms.sources.map(buildSource),
    ...ms.groups.map(buildSsrcGroup),
  ]);
}

/** Parses a `<sources>` wrapper. */
export function parseSourcesList(el: Element): MediaSource[] {
  return childrenOf(el, 'media-source', NS_COLIBRI2).map(parseMediaSource);
}

/** Builds a `<sources>` wrapper (empty means "this endpoint has no sources"). */
export function buildSourcesList(list: readonly MediaSource[]): Element {
  return xmlElement('sources', {}, list.map(buildMediaSource));
}

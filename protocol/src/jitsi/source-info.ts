import { ProtocolError } from '../lib/errors.js';
import { type SourceName, toSourceName } from '../lib/ids.js';
import { withContext } from '../lib/with-context.js';
import { isObject, parseJsonText } from '../lib/json-text.js';

/** One source's state in the `<SourceInfo>` presence JSON. */
export interface SourceInfo {
  muted?: boolean;
  videoType?: string;
  mediaType?: 'audio' | 'video';
}

/** `<SourceInfo>{"a1b2c3d4-a0":{"muted":false},…}</SourceInfo>`: state per source name. */
export type SourceInfoMap = Map<SourceName, SourceInfo>;

/** Parses the SourceInfo JSON text. */
export function parseSourceInfo(text: string): SourceInfoMap {
  const o = parseJsonText(text, 'SourceInfo');
  if (!isObject(o)) throw new ProtocolError('bad-json', 'SourceInfo is not a JSON object');
  const map: SourceInfoMap = new Map();
  for (const [name, raw] of Object.entries(o)) {
    const where = `SourceInfo["${name}"]`;
    if (!isObject(raw)) throw new ProtocolError('bad-json', `${where} is not an object`);
    const info: SourceInfo = {};
    if (raw.muted !== undefined) {
      if (typeof raw.muted !== 'boolean') throw new ProtocolError('bad-json', `${where}.muted is not a boolean`);
      info.muted = raw.muted;
    }
    if (raw.videoType !== undefined) {
      if (typeof raw.videoType !== 'string') throw new ProtocolError('bad-json', `${where}.videoType is not a string`);
      info.videoType = raw.videoType;
    }
    if (raw.mediaType !== undefined) {
      if (raw.mediaType !== 'audio' && raw.mediaType !== 'video')
        throw new ProtocolError('unknown-value', `${where}.mediaType must be audio or video`);
      info.mediaType = raw.mediaType;
    }
    map.set(
      withContext(where, () => toSourceName(name)),
      info,
    );
  }
  return map;
}

/** Builds the SourceInfo JSON text. */
export function buildSourceInfo(map: SourceInfoMap): string {
  return JSON.stringify(Object.fromEntries(map));
}

/** The media type of a source: `mediaType` if given, else from the `-a<n>`/`-v<n>` suffix of its name. */
export function sourceMediaType(name: SourceName, info: SourceInfo): 'audio' | 'video' | undefined {
  if (info.mediaType !== undefined) return info.mediaType;
  const m = /-([av])\d+$/.exec(name);
  return m === null ? undefined : m[1] === 'a' ? 'audio' : 'video';
}

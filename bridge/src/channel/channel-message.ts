// Bridge-channel JSON (PROTOCOL.md §7.4). protocol/src/channel has no codecs yet, so the bridge validates the
// few messages it reads here, minimally: enough that nothing malformed reaches conference state or another peer.
// TODO(#6): move to @convene/protocol/channel once it exists.
import { ProtocolError } from '@convene/protocol/lib';

export type JsonObject = Record<string, unknown>;

export interface EndpointMessage {
  colibriClass: 'EndpointMessage' | 'EndpointStats';
  /** Target endpoint id; '' or absent broadcasts to the conference. */
  to: string;
  /** The whole message as sent: relayed with `from` added, extra fields kept. */
  raw: JsonObject;
}

export interface ReceiverVideoConstraints {
  colibriClass: 'ReceiverVideoConstraints';
  /** Only the fields present; absent fields leave the receiver's state unchanged. */
  patch: JsonObject;
}

export interface LastNChanged {
  colibriClass: 'LastNChangedEvent';
  lastN: number;
}

export interface SourceVideoType {
  colibriClass: 'SourceVideoTypeMessage';
  sourceName: string;
  videoType: string;
}

/** Messages that are accepted and need no action yet. */
export interface IgnoredMessage {
  colibriClass: 'ClientHello' | 'ReceiverAudioSubscription';
}

export type ClientMessage =
  EndpointMessage | ReceiverVideoConstraints | LastNChanged | SourceVideoType | IgnoredMessage;

const VIDEO_TYPES = ['camera', 'desktop', 'desktop_high_fps', 'none', 'disabled'];

/** Parses one text frame from a client; throws ProtocolError (`bad-json`, `unknown-class`, `bad-field`). */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError('bad-json', 'bridge-channel message is not JSON', { cause: err });
  }
  if (!isObject(value)) throw new ProtocolError('bad-json', 'bridge-channel message is not a JSON object');
  const cls = value.colibriClass;
  switch (cls) {
    case 'EndpointMessage':
    case 'EndpointStats': {
      const to = value.to ?? '';
      if (typeof to !== 'string') throw new ProtocolError('bad-field', `${cls}.to is not a string`);
      return { colibriClass: cls, to, raw: value };
    }
    case 'ReceiverVideoConstraints':
      return { colibriClass: cls, patch: checkConstraints(value) };
    case 'LastNChangedEvent':
      return { colibriClass: cls, lastN: checkLastN(value.lastN) };
    case 'SourceVideoTypeMessage': {
      const { sourceName, videoType } = value;
      if (typeof sourceName !== 'string' || sourceName === '')
        throw new ProtocolError('bad-field', 'SourceVideoTypeMessage.sourceName is not a string');
      if (typeof videoType !== 'string' || !VIDEO_TYPES.includes(videoType.toLowerCase()))
        throw new ProtocolError('bad-field', 'SourceVideoTypeMessage.videoType is unknown');
      return { colibriClass: cls, sourceName, videoType: videoType.toLowerCase() };
    }
    case 'ClientHello':
    case 'ReceiverAudioSubscription':
      return { colibriClass: cls };
    default:
      throw new ProtocolError('unknown-class', `unknown colibriClass ${JSON.stringify(cls)}`);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkLastN(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -1)
    throw new ProtocolError('bad-field', 'lastN is not an integer >= -1');
  return v;
}

function checkStringArray(name: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new ProtocolError('bad-field', `${name} is not an array of strings`);
  return v;
}

function checkVideoConstraint(name: string, v: unknown): JsonObject {
  if (!isObject(v)) throw new ProtocolError('bad-field', `${name} is not an object`);
  for (const key of ['maxHeight', 'maxFrameRate'])
    if (v[key] !== undefined && typeof v[key] !== 'number')
      throw new ProtocolError('bad-field', `${name}.${key} is not a number`);
  return v;
}

function checkConstraints(m: JsonObject): JsonObject {
  const patch: JsonObject = {};
  if (m.lastN !== undefined) patch.lastN = checkLastN(m.lastN);
  for (const key of ['selectedSources', 'onStageSources'])
    if (m[key] !== undefined) patch[key] = checkStringArray(key, m[key]);
  if (m.defaultConstraints !== undefined)
    patch.defaultConstraints = checkVideoConstraint('defaultConstraints', m.defaultConstraints);
  if (m.constraints !== undefined) {
    if (!isObject(m.constraints)) throw new ProtocolError('bad-field', 'constraints is not an object');
    for (const [source, c] of Object.entries(m.constraints)) checkVideoConstraint(`constraints.${source}`, c);
    patch.constraints = m.constraints;
  }
  if (m.assumedBandwidthBps !== undefined) {
    if (typeof m.assumedBandwidthBps !== 'number')
      throw new ProtocolError('bad-field', 'assumedBandwidthBps is not a number');
    patch.assumedBandwidthBps = m.assumedBandwidthBps;
  }
  return patch;
}

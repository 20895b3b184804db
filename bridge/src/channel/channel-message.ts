// What the bridge does with a client's bridge-channel message. Validation is protocol/channel's
// (PROTOCOL.md §7.4); here the validated message is narrowed to the ones a client may send.
import { ProtocolError } from '@convene/protocol/lib';
import {
  parseChannelMessage,
  type ChannelMessageOf,
  type VideoConstraints as WireVideoConstraints,
} from '@convene/protocol/channel';

export type JsonObject = Record<string, unknown>;

export interface EndpointMessage {
  colibriClass: 'EndpointMessage' | 'EndpointStats';
  /** Target endpoint id; '' broadcasts to the conference. */
  to: string;
  /** The whole message as sent: relayed with `from` replaced, extra fields kept. */
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

/** Legacy endpoint-level video type: applies to the sender's `<endpoint>-v0`. */
export interface LegacyVideoType {
  colibriClass: 'VideoTypeMessage';
  videoType: string;
}

/** Messages that are accepted and need no action yet. */
export interface IgnoredMessage {
  colibriClass: 'ClientHello' | 'ReceiverAudioSubscription';
}

export type ClientMessage =
  EndpointMessage | ReceiverVideoConstraints | LastNChanged | SourceVideoType | LegacyVideoType | IgnoredMessage;

/** Parses one text frame from a client; throws ProtocolError (protocol/channel's codes, or `unexpected-class`). */
export function parseClientMessage(text: string): ClientMessage {
  const msg = parseChannelMessage(text);
  switch (msg.colibriClass) {
    case 'EndpointMessage':
      return { colibriClass: msg.colibriClass, to: msg.to, raw: msg };
    case 'EndpointStats':
      return { colibriClass: msg.colibriClass, to: '', raw: msg };
    case 'ReceiverVideoConstraints':
      return { colibriClass: msg.colibriClass, patch: constraintsPatch(msg) };
    case 'LastNChangedEvent':
      return { colibriClass: msg.colibriClass, lastN: msg.lastN };
    case 'SourceVideoTypeMessage':
      return { colibriClass: msg.colibriClass, sourceName: msg.sourceName, videoType: msg.videoType };
    case 'VideoTypeMessage':
      return { colibriClass: msg.colibriClass, videoType: msg.videoType };
    case 'ClientHello':
    case 'ReceiverAudioSubscription':
      return { colibriClass: msg.colibriClass };
    default:
      throw new ProtocolError('unexpected-class', `${msg.colibriClass} is not a client message`);
  }
}

/**
 * The known fields only, each a fresh copy: what a client adds beyond them (the schema is loose, as JVB ignores
 * unknown fields) must not pile up in the endpoint's state message after message.
 */
function constraintsPatch(msg: ChannelMessageOf<'ReceiverVideoConstraints'>): JsonObject {
  const patch: JsonObject = {};
  if (msg.lastN !== undefined) patch.lastN = msg.lastN;
  if (msg.selectedSources !== undefined) patch.selectedSources = [...msg.selectedSources];
  if (msg.onStageSources !== undefined) patch.onStageSources = [...msg.onStageSources];
  if (msg.defaultConstraints !== undefined) patch.defaultConstraints = videoConstraints(msg.defaultConstraints);
  if (msg.constraints !== undefined) {
    const byName: JsonObject = {};
    for (const [name, c] of Object.entries(msg.constraints)) byName[name] = videoConstraints(c);
    patch.constraints = byName;
  }
  if (msg.assumedBandwidthBps !== undefined) patch.assumedBandwidthBps = msg.assumedBandwidthBps;
  return patch;
}

function videoConstraints(c: WireVideoConstraints): JsonObject {
  return c.maxFrameRate === undefined
    ? { maxHeight: c.maxHeight }
    : { maxHeight: c.maxHeight, maxFrameRate: c.maxFrameRate };
}

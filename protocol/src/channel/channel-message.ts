import type { z } from 'zod';
import { ProtocolError } from '../lib/errors.js';
import { isObject, parseJsonText } from '../lib/json-text.js';
import * as client from './client-messages.js';
import * as bridge from './bridge-messages.js';

/** One validator per colibriClass. */
export const CHANNEL_SCHEMAS = {
  ReceiverVideoConstraints: client.ReceiverVideoConstraintsSchema,
  LastNChangedEvent: client.LastNChangedEventSchema,
  EndpointMessage: client.EndpointMessageSchema,
  EndpointStats: client.EndpointStatsSchema,
  SourceVideoTypeMessage: client.SourceVideoTypeMessageSchema,
  VideoTypeMessage: client.VideoTypeMessageSchema,
  ReceiverAudioSubscription: client.ReceiverAudioSubscriptionSchema,
  ClientHello: client.ClientHelloSchema,
  ServerHello: bridge.ServerHelloSchema,
  DominantSpeakerEndpointChangeEvent: bridge.DominantSpeakerEndpointChangeEventSchema,
  ForwardedSources: bridge.ForwardedSourcesSchema,
  SenderSourceConstraints: bridge.SenderSourceConstraintsSchema,
  EndpointConnectivityStatusChangeEvent: bridge.EndpointConnectivityStatusChangeEventSchema,
  ConnectionStats: bridge.ConnectionStatsSchema,
  VideoSourcesMap: bridge.VideoSourcesMapSchema,
  AudioSourcesMap: bridge.AudioSourcesMapSchema,
  SyntheticSourceSendingChangeEvent: bridge.SyntheticSourceSendingChangeEventSchema,
  AddReceiver: bridge.AddReceiverSchema,
  RemoveReceiver: bridge.RemoveReceiverSchema,
} as const;

export type ColibriClass = keyof typeof CHANNEL_SCHEMAS;
/** Any bridge-channel message, discriminated by `colibriClass`. */
export type ChannelMessage = { [K in ColibriClass]: z.infer<(typeof CHANNEL_SCHEMAS)[K]> }[ColibriClass];
/** The message type of one class. */
export type ChannelMessageOf<K extends ColibriClass> = z.infer<(typeof CHANNEL_SCHEMAS)[K]>;

/** Parses and validates one bridge-channel message (WebSocket text or SCTP PPID 51 string). */
export function parseChannelMessage(text: string): ChannelMessage {
  return validateChannelMessage(parseJsonText(text, 'bridge-channel message'));
}

/** Validates an already JSON-decoded message. */
export function validateChannelMessage(value: unknown): ChannelMessage {
  if (!isObject(value)) throw new ProtocolError('bad-json', 'bridge-channel message is not a JSON object');
  const cls = value.colibriClass;
  if (cls === undefined) throw new ProtocolError('missing-attribute', "bridge-channel message has no 'colibriClass'");
  if (typeof cls !== 'string' || !Object.hasOwn(CHANNEL_SCHEMAS, cls))
    throw new ProtocolError('unknown-value', `unknown colibriClass ${JSON.stringify(cls)}`);
  const result = CHANNEL_SCHEMAS[cls as ColibriClass].safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new ProtocolError(codeOf(value, issue), `${cls}.${path}: ${issue?.message ?? 'invalid'}`, {
    cause: result.error,
  });
}

/** Serialises a message. */
export function buildChannelMessage(msg: ChannelMessage): string {
  return JSON.stringify(msg);
}

function codeOf(input: unknown, issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'bad-json';
  let at: unknown = input;
  for (const key of issue.path)
    at = isObject(at) || Array.isArray(at) ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (at === undefined) return 'missing-attribute';
      return issue.expected === 'number' || issue.expected === 'int' ? 'bad-number' : 'bad-json';
    case 'too_small':
    case 'too_big':
      return 'out-of-range';
    case 'invalid_value':
      return 'unknown-value';
    default:
      return 'bad-json';
  }
}

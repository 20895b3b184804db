import { z } from 'zod';
import { VideoConstraintsSchema } from './client-messages.js';

// Bridge -> client messages, and the bridge <-> bridge (relay) extras.

export const ServerHelloSchema = z.looseObject({
  colibriClass: z.literal('ServerHello'),
  version: z.string().optional(),
});

export const DominantSpeakerEndpointChangeEventSchema = z.looseObject({
  colibriClass: z.literal('DominantSpeakerEndpointChangeEvent'),
  dominantSpeakerEndpoint: z.string(),
  previousSpeakers: z.array(z.string()).optional(),
  silence: z.boolean().optional(),
});

export const ForwardedSourcesSchema = z.looseObject({
  colibriClass: z.literal('ForwardedSources'),
  forwardedSources: z.array(z.string()),
});

export const SenderSourceConstraintsSchema = z.looseObject({
  colibriClass: z.literal('SenderSourceConstraints'),
  sourceName: z.string().min(1),
  maxHeight: z.number().int().min(-1),
});

/** `active` is a string `"true"`/`"false"` on the wire. */
export const EndpointConnectivityStatusChangeEventSchema = z.looseObject({
  colibriClass: z.literal('EndpointConnectivityStatusChangeEvent'),
  endpoint: z.string(),
  active: z.enum(['true', 'false']),
});

export const ConnectionStatsSchema = z.looseObject({
  colibriClass: z.literal('ConnectionStats'),
  estimatedDownlinkBandwidth: z.number().min(0),
});

const Ssrc = z.number().int().min(1).max(0xffffffff);

export const VideoSourcesMapSchema = z.looseObject({
  colibriClass: z.literal('VideoSourcesMap'),
  mappedSources: z.array(
    z.looseObject({
      source: z.string(),
      owner: z.string(),
      ssrc: Ssrc,
      rtx: Ssrc,
      videoType: z.string(),
      mid: z.string().optional(),
    }),
  ),
});

export const AudioSourcesMapSchema = z.looseObject({
  colibriClass: z.literal('AudioSourcesMap'),
  mappedSources: z.array(
    z.looseObject({ source: z.string(), owner: z.string(), ssrc: Ssrc, mid: z.string().optional() }),
  ),
});

export const SyntheticSourceSendingChangeEventSchema = z.looseObject({
  colibriClass: z.literal('SyntheticSourceSendingChangeEvent'),
  sourceName: z.string(),
  sending: z.boolean(),
  timestamp: z.number().int().min(0),
});

export const AddReceiverSchema = z.looseObject({
  colibriClass: z.literal('AddReceiver'),
  bridgeId: z.string(),
  sourceName: z.string(),
  videoConstraints: VideoConstraintsSchema.optional(),
});

export const RemoveReceiverSchema = z.looseObject({
  colibriClass: z.literal('RemoveReceiver'),
  bridgeId: z.string(),
  endpointId: z.string(),
});

export type ServerHello = z.infer<typeof ServerHelloSchema>;
export type DominantSpeakerEndpointChangeEvent = z.infer<typeof DominantSpeakerEndpointChangeEventSchema>;
export type ForwardedSources = z.infer<typeof ForwardedSourcesSchema>;
export type SenderSourceConstraints = z.infer<typeof SenderSourceConstraintsSchema>;
export type EndpointConnectivityStatusChangeEvent = z.infer<typeof EndpointConnectivityStatusChangeEventSchema>;
export type ConnectionStats = z.infer<typeof ConnectionStatsSchema>;
export type VideoSourcesMap = z.infer<typeof VideoSourcesMapSchema>;
export type AudioSourcesMap = z.infer<typeof AudioSourcesMapSchema>;
export type SyntheticSourceSendingChangeEvent = z.infer<typeof SyntheticSourceSendingChangeEventSchema>;
export type AddReceiver = z.infer<typeof AddReceiverSchema>;
export type RemoveReceiver = z.infer<typeof RemoveReceiverSchema>;

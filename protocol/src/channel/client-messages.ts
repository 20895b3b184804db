import { z } from 'zod';

// Client -> bridge messages (PROTOCOL.md §7.4; jvb message/BridgeChannelMessage.kt). Objects are loose:
// JVB ignores unknown fields, and EndpointMessage must relay them unchanged.

/** Longest source or endpoint name taken from a client: lib-jitsi-meet's are `<8 hex digits>-v0`. */
export const MAX_CHANNEL_NAME_LENGTH = 256;
/** Most names in one list or map of a client message: more video sources than any one call has. */
export const MAX_CHANNEL_NAMES = 500;

/** A source or endpoint name in a client message. */
const ChannelName = z.string().min(1).max(MAX_CHANNEL_NAME_LENGTH);
const ChannelNames = z.array(ChannelName).max(MAX_CHANNEL_NAMES);

/** `{maxHeight, maxFrameRate?}`: -1 unlimited, 0 off. */
export const VideoConstraintsSchema = z.looseObject({
  maxHeight: z.number().int().min(-1),
  maxFrameRate: z.number().min(0).optional(),
});

export const ReceiverVideoConstraintsSchema = z.looseObject({
  colibriClass: z.literal('ReceiverVideoConstraints'),
  lastN: z.number().int().min(-1).optional(),
  selectedSources: ChannelNames.optional(),
  onStageSources: ChannelNames.optional(),
  defaultConstraints: VideoConstraintsSchema.optional(),
  constraints: z
    .record(ChannelName, VideoConstraintsSchema)
    .refine((r) => Object.keys(r).length <= MAX_CHANNEL_NAMES, { error: `more than ${MAX_CHANNEL_NAMES} sources` })
    .optional(),
  assumedBandwidthBps: z.number().min(-1).optional(),
});

export const LastNChangedEventSchema = z.looseObject({
  colibriClass: z.literal('LastNChangedEvent'),
  lastN: z.number().int().min(-1),
});

/** Relayed to `to` (an endpoint id, or "" for everyone) with `from` added by the bridge. */
export const EndpointMessageSchema = z.looseObject({
  colibriClass: z.literal('EndpointMessage'),
  to: z.string().max(MAX_CHANNEL_NAME_LENGTH),
  from: z.string().optional(),
  msgPayload: z.unknown().optional(),
});

export const EndpointStatsSchema = z.looseObject({
  colibriClass: z.literal('EndpointStats'),
  from: z.string().optional(),
});

/** Video types JVB accepts, case-insensitively. */
export const CHANNEL_VIDEO_TYPES = ['camera', 'desktop', 'desktop_high_fps', 'none', 'disabled'] as const;

export const SourceVideoTypeMessageSchema = z.looseObject({
  colibriClass: z.literal('SourceVideoTypeMessage'),
  sourceName: ChannelName,
  videoType: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(CHANNEL_VIDEO_TYPES)),
  /** Relays only. */
  endpointId: z.string().optional(),
});

/** Legacy (pre source-names, lib-jitsi-meet <= 2022): the video type of the endpoint's one camera/desktop source. */
export const VideoTypeMessageSchema = z.looseObject({
  colibriClass: z.literal('VideoTypeMessage'),
  videoType: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(CHANNEL_VIDEO_TYPES)),
});

export const ReceiverAudioSubscriptionSchema = z.looseObject({
  colibriClass: z.literal('ReceiverAudioSubscription'),
  all: z.boolean().optional(),
  include: ChannelNames.optional(),
  exclude: ChannelNames.optional(),
  /** Legacy form: `All`, `None`, `Include`, `Exclude` with `list`. */
  mode: z.string().max(16).optional(),
  list: ChannelNames.optional(),
});

export const ClientHelloSchema = z.looseObject({ colibriClass: z.literal('ClientHello') });

export type VideoConstraints = z.infer<typeof VideoConstraintsSchema>;
export type ReceiverVideoConstraints = z.infer<typeof ReceiverVideoConstraintsSchema>;
export type LastNChangedEvent = z.infer<typeof LastNChangedEventSchema>;
export type EndpointMessage = z.infer<typeof EndpointMessageSchema>;
export type EndpointStats = z.infer<typeof EndpointStatsSchema>;
export type SourceVideoTypeMessage = z.infer<typeof SourceVideoTypeMessageSchema>;
export type VideoTypeMessage = z.infer<typeof VideoTypeMessageSchema>;
export type ReceiverAudioSubscription = z.infer<typeof ReceiverAudioSubscriptionSchema>;
export type ClientHello = z.infer<typeof ClientHelloSchema>;

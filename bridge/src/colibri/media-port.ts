// The narrow view of the media core (bridge/src/conference/) that Colibri2 handling needs. MediaServer,
// Conference and Endpoint satisfy it structurally; tests use fakes. Nothing here knows XML.

import type { ConstraintsPatch, SourceParams, TransportParams, VideoCodec, VideoEvent } from '../conference/index.js';

// One vocabulary for transport data: the media core's own types, under the names this seam has always used.
export type {
  IceCandidate as MediaCandidate,
  SignalledFingerprint as MediaFingerprint,
  TransportParams as MediaTransport,
  SourceParams as MediaSsrc,
} from '../conference/index.js';

export interface MediaEndpointPort {
  readonly id: string;
  readonly closed: boolean;
  readonly iceState: string;
  localTransport(): TransportParams;
  setRemoteTransport(t: TransportParams): void;
  /** Replaces the endpoint's SSRCs; throws ProtocolError on a conflict with another endpoint. */
  setSources(sources: readonly SourceParams[]): void;
  /** Force-mute: the media core drops this endpoint's packets of `kind` (now and for later sources). */
  setForceMuted(kind: 'audio' | 'video', muted: boolean): void;
  /**
   * `close` fires once, whoever closed it, with why: `hung up` (DTLS close_notify), `ice failed` (including
   * consent), `dtls failed`, or the core's own reasons (`expired`, `server closed`...).
   */
  on(name: 'close', fn: (reason: string) => void): () => void;
  /** ReceiverVideoConstraints / LastNChangedEvent from the bridge channel. */
  setReceiverConstraints?(patch: ConstraintsPatch): void;
  /** SourceVideoTypeMessage for one of the endpoint's sources. */
  setVideoType?(sourceName: string, videoType: string): void;
  close(): void;
}

export interface MediaConferencePort {
  readonly id: string;
  createEndpoint(id: string): MediaEndpointPort;
  /** Header extension ids (one-byte) that must not be forwarded. */
  setStrippedHeaderExtensions?(ids: readonly number[]): void;
  /** The transport-wide sequence number extension id (0: none): the bridge answers with transport-cc feedback. */
  setTransportCcExtension?(id: number): void;
  /** Payload type -> video codec, from the offer. */
  setVideoCodecs?(byPayloadType: ReadonlyMap<number, VideoCodec>): void;
  /** The ssrc-audio-level extension id (0: none). */
  setAudioLevelExtension?(id: number): void;
  /** Forwarded sources, dominant speaker and sender constraints as they change. */
  onVideoEvent?(fn: (e: VideoEvent) => void): () => void;
  /** The video sources an endpoint is sent now. */
  forwardedSources?(endpointId: string): string[];
  /** What a newly connected channel of an endpoint should hear at once. */
  videoSnapshot?(endpointId: string): VideoEvent[];
  close(): void;
}

export interface MediaPort {
  createConference(id: string): MediaConferencePort;
}

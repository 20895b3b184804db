// The narrow view of the media core (bridge/src/conference/) that Colibri2 handling needs. MediaServer,
// Conference and Endpoint satisfy it structurally; tests use fakes. Nothing here knows XML.

import type { SourceParams, TransportParams } from '../conference/index.js';

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
  /**
   * Accepts the endpoint's SCTP association (the bridge is its server) and the one data channel the client opens
   * on it; `listener` hears the channel. Absent in fakes without media.
   */
  acceptSctp?(listener: DataChannelListener): DataChannelPort;
  close(): void;
}

/** The endpoint's data channel as the media core gives it (conference/ Endpoint). */
export interface DataChannelPort {
  readonly open: boolean;
  readonly bufferedAmount: number;
  send(text: string): boolean;
  closeChannel(): void;
}

export interface DataChannelListener {
  onOpen(label: string, protocol: string): void;
  onMessage(data: string | Buffer): void;
  onClose(): void;
}

export interface MediaConferencePort {
  readonly id: string;
  createEndpoint(id: string): MediaEndpointPort;
  /** Header extension ids (one-byte) that must not be forwarded. */
  setStrippedHeaderExtensions?(ids: readonly number[]): void;
  /** The transport-wide sequence number extension id (0: none): the bridge answers with transport-cc feedback. */
  setTransportCcExtension?(id: number): void;
  close(): void;
}

export interface MediaPort {
  createConference(id: string): MediaConferencePort;
}

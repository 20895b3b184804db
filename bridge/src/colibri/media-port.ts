// The narrow view of the media core (bridge/src/conference/) that Colibri2 handling needs. MediaServer,
// Conference and Endpoint satisfy it structurally; tests use fakes. Nothing here knows XML.

export interface MediaCandidate {
  address: string;
  port: number;
  priority: number;
  type: 'host' | 'srflx' | 'prflx' | 'relay';
}

export interface MediaFingerprint {
  hash: string;
  value: string;
  setup: 'active' | 'passive' | 'actpass';
}

/** One side's ICE/DTLS parameters, as the media core takes and gives them. */
export interface MediaTransport {
  ufrag: string;
  pwd: string;
  fingerprints: MediaFingerprint[];
  candidates: MediaCandidate[];
}

export interface MediaSsrc {
  ssrc: number;
  kind: 'audio' | 'video';
}

export interface MediaEndpointPort {
  readonly id: string;
  readonly closed: boolean;
  readonly iceState: string;
  localTransport(): MediaTransport;
  setRemoteTransport(t: MediaTransport): void;
  /** Replaces the endpoint's SSRCs; throws ProtocolError on a conflict with another endpoint. */
  setSources(sources: readonly MediaSsrc[]): void;
  /** Force-mute: the media core drops this endpoint's packets of `kind` (now and for later sources). */
  setForceMuted(kind: 'audio' | 'video', muted: boolean): void;
  /**
   * `close` fires once, whoever closed it, with why: `hung up` (DTLS close_notify), `ice failed` (including
   * consent), `dtls failed`, or the core's own reasons (`expired`, `server closed`...).
   */
  on(name: 'close', fn: (reason: string) => void): () => void;
  close(): void;
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

// What the media server gives each EndpointTransport it creates: the shared socket and identity, the timers, the
// conference's forwarder and header extension ids, and the callbacks through which the transport reports upwards.
import type { DtlsIdentity, DtlsState } from '../dtls/index.js';
import type { Forwarder } from '../forward/index.js';
import type { IceState, IceTimings } from '../ice/index.js';
import type { SrtpKeyParams, SrtpTransform } from '../srtp/index.js';
import type { PacketSocket } from '../transport/index.js';
import type { HeaderExtensionIds } from './downlink.js';

/**
 * `T` is the EndpointTransport itself (a type parameter so that this file does not import it); use
 * `EndpointTransportDeps` from endpoint-transport.ts.
 */
export interface TransportDeps<T> {
  routeId: number;
  udp: PacketSocket;
  identity: DtlsIdentity;
  iceTimings: IceTimings;
  allowLocalCandidates: boolean;
  dtlsHandshakeTimeoutMs: number;
  forwarder: Forwarder;
  /** The conference's header extension ids, read per packet (the conference may learn them after we exist). */
  extensions: Readonly<HeaderExtensionIds>;
  /** Builds the SRTP contexts once DTLS exported keys; node:crypto's by default. */
  createSrtp: (p: SrtpKeyParams) => SrtpTransform;
  /** The media server re-keys its address map. */
  onSelected: (t: T, address: string, port: number) => void;
  /** The peer checked us from this address; DTLS from it may come before our nomination completes. */
  onPeerAddress: (t: T, address: string, port: number) => void;
  onIceState: (state: IceState) => void;
  onDtlsState: (state: DtlsState, reason?: string) => void;
  /** The send-side estimate for this receiver moved significantly (bps). */
  onBandwidthEstimate?: (bps: number) => void;
  /** DTLS application data (SCTP); false when nobody takes it (the session counts it dropped). */
  onAppData: (buf: Buffer) => boolean;
}

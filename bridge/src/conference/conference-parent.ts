// What the media server gives each conference it creates: the focus's spec of it, and the parent it reports to.
import type { Logger } from 'pino';
import type { Forwarder } from '../forward/index.js';
import type { IceCandidate } from '../ice/index.js';
import type { EndpointTransport, HeaderExtensionIds } from '../pipeline/index.js';
import type { Endpoint, EndpointCloseReason, TransportEvents } from './endpoint.js';

/** What the focus knows the conference by, and the timers of its life. */
export interface ConferenceSpec {
  /** The meeting id (Colibri2 `meeting-id`), unique on the bridge. */
  meetingId: string;
  /** The room's JID, for logs. */
  name: string;
  /** An endpoint whose ICE has not connected this long after creation closes. */
  endpointConnectTimeoutMs: number;
  /** A conference without endpoints this long closes (JVB's expire thread). */
  idleTimeoutMs: number;
}

/**
 * What a conference needs from the media server that owns it. `C` is the Conference itself (a type parameter so
 * that this file does not import it); use `ConferenceParent` from conference.ts.
 */
export interface ConferenceParentOf<C> {
  readonly log: Logger | undefined;
  readonly localCandidates: readonly IceCandidate[];
  readonly fingerprint: string;
  createTransport(
    forwarder: Forwarder,
    extensions: Readonly<HeaderExtensionIds>,
    events: TransportEvents,
  ): EndpointTransport;
  releaseTransport(t: EndpointTransport): void;
  /** An endpoint came or went, or changed its sources. */
  onChanged(c: C): void;
  onEndpointClosed(c: C, ep: Endpoint, reason: EndpointCloseReason): void;
  onConferenceClosed(c: C): void;
  /** Height every source gets before a receiver's first constraints: 0 as JVB, -1 (default) unlimited. */
  readonly initialMaxHeight?: number;
  /** The bridge's last-N limit (-1: none). */
  readonly lastN?: number;
  /** SSRC rewriting: pool sizes per receiver (JVB's ssrc-limit). */
  readonly ssrcLimits?: { video: number; audio: number };
}

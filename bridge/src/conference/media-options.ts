import type { Logger } from 'pino';
import type { SrtpProfile } from '../dtls/index.js';
import type { IceTimings } from '../ice/index.js';
import type { SrtpKeyParams, SrtpTransform } from '../srtp/index.js';
import type { UdpImplementation } from '../transport/index.js';

/** Knobs of the media server; every field has a default. */
export interface MediaServerOptions {
  /** UDP port for all media; 10000 by default, 0 for a free one. */
  port?: number;
  /** Address the socket binds; 0.0.0.0 by default. */
  bindAddress?: string;
  /** Host candidate addresses advertised to peers (public address or NAT mapping in production). */
  advertisedAddresses?: readonly string[];
  ice?: Partial<IceTimings>;
  /** Send ICE checks to loopback and link-local remote candidates; false by default (config allowLocalCandidates). */
  allowLocalCandidates?: boolean;
  dtlsHandshakeTimeoutMs?: number;
  /** SRTP profiles in preference order; AEAD_AES_128_GCM then AES_CM_128_HMAC_SHA1_80 by default (JVB's order). */
  srtpProfiles?: readonly SrtpProfile[];
  /** Interval of the bridge's own receiver reports to senders. */
  rtcpReportIntervalMs?: number;
  socketBufferBytes?: number;
  /** The socket: node's dgram by default; main.ts passes config udpImplementation (auto: the addon's batched one). */
  udpImplementation?: UdpImplementation;
  /** Datagrams per recvmmsg with the native socket (32 by default). */
  udpBatch?: number;
  /** UDP_SEGMENT with the native socket: runs of equal-sized packets to one peer leave as one send (default on). */
  udpGso?: boolean;
  /** SRTP implementation; node:crypto by default. main.ts passes the native addon's (config srtpImplementation). */
  createSrtp?: (p: SrtpKeyParams) => SrtpTransform;
  /** An endpoint whose ICE has not connected this long after creation closes; 60 s by default. */
  endpointConnectTimeoutMs?: number;
  /** A conference without endpoints this long closes; 60 s by default. */
  conferenceIdleTimeoutMs?: number;
  log?: Logger;
  /** Video height a receiver gets before its first constraints: -1 unlimited by default; the bridge's config 0 (JVB). */
  initialMaxHeightPx?: number;
  /** The bridge's last-N limit (-1: none, the default). */
  lastN?: number;
  /** SSRC rewriting: pool SSRCs per receiver (JVB's `ssrc-limit`, 50 and 50). */
  ssrcLimits?: { video: number; audio: number };
}

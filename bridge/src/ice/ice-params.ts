import type { CandidateRefusal } from './candidate-policy.js';

/** ICE credentials of one side (RFC 8445 §5.3). */
export interface IceParams {
  ufrag: string;
  pwd: string;
}

/** A remote candidate as signalled; only UDP candidates are used. */
export interface IceCandidate {
  address: string;
  port: number;
  priority: number;
  type: 'host' | 'srflx' | 'prflx' | 'relay';
}

export type IceState = 'new' | 'checking' | 'connected' | 'failed' | 'closed';

export interface IceTimings {
  /** Pacing of checks while connecting (RFC 8445 Ta). */
  checkIntervalMs: number;
  /** Give up when no pair was nominated within this time after the remote params arrived. */
  connectTimeoutMs: number;
  /** RFC 7675: consent expires when no check was answered for this long. */
  consentTimeoutMs: number;
}

export const DEFAULT_ICE_TIMINGS: IceTimings = {
  checkIntervalMs: 50,
  connectTimeoutMs: 30_000,
  consentTimeoutMs: 30_000,
};

export interface IceAgentDeps {
  /** Routing id the media server put in the first 4 bytes of our transaction ids. */
  routeId: number;
  local: IceParams;
  timings: IceTimings;
  /** Send checks to loopback and link-local remote candidates too (bridge and peers on one host). */
  allowLocalCandidates: boolean;
  send: (buf: Buffer, port: number, address: string) => void;
  onStateChange: (state: IceState) => void;
  /** The nominated pair changed: media now flows with this remote address. */
  onSelected: (address: string, port: number) => void;
  /** An authenticated check arrived from an address not seen before (a candidate pair in the making). */
  onPeerAddress?: (address: string, port: number) => void;
  /** A signalled remote candidate was not used (see candidate-policy.ts). */
  onCandidateRefused?: (reason: CandidateRefusal) => void;
}

export interface IceCounters {
  checksSent: number;
  checksAnswered: number;
  requestsReceived: number;
  badIntegrity: number;
  badFingerprint: number;
  unmatchedResponses: number;
  roleConflicts: number;
  /** Signalled remote candidates not used: a name, IPv6, loopback/link-local (unless allowed), not unicast. */
  candidatesRefused: number;
}

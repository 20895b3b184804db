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

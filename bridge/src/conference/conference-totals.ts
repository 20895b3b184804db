import type { EndpointCloseReason } from './endpoint.js';

/** Counters of conferences and endpoints that only go up (JVB `total_*`); metrics/ reads them at scrape time. */
export interface ConferenceTotals {
  conferencesCreated: number;
  conferencesCompleted: number;
  conferenceSeconds: number;
  endpointsCreated: number;
  /** Endpoints that ended normally: expired by the focus or with their conference, or hung up (close_notify). */
  endpointsExpired: number;
  /** Of those, the ones whose peer hung up (DTLS close_notify). */
  endpointsHungUp: number;
  /** Endpoints whose ICE never connected, or failed later (consent lost): JVB's total_ice_failed. */
  endpointsIceFailed: number;
  /** Endpoints whose DTLS failed (handshake, fingerprint, a fatal alert): JVB's dtls_failed_endpoints. */
  endpointsDtlsFailed: number;
}

export function newConferenceTotals(): ConferenceTotals {
  return {
    conferencesCreated: 0,
    conferencesCompleted: 0,
    conferenceSeconds: 0,
    endpointsCreated: 0,
    endpointsExpired: 0,
    endpointsHungUp: 0,
    endpointsIceFailed: 0,
    endpointsDtlsFailed: 0,
  };
}

/** Counts an endpoint that went, by why. */
export function countEndpointClosed(totals: ConferenceTotals, reason: EndpointCloseReason): void {
  if (reason === 'no ice connection' || reason === 'ice failed') totals.endpointsIceFailed++;
  else if (reason === 'dtls failed') totals.endpointsDtlsFailed++;
  else {
    totals.endpointsExpired++;
    if (reason === 'hung up') totals.endpointsHungUp++;
  }
}

import type { DtlsFingerprint, DtlsSetup } from '../dtls/index.js';
import type { IceCandidate } from '../ice/index.js';
import type { MediaKind } from '../forward/index.js';

/** A fingerprint with the `setup` attribute that travels with it in Jingle and SDP. */
export interface SignalledFingerprint extends DtlsFingerprint {
  setup: DtlsSetup;
}

/** One side's ICE-UDP transport as signalled (Jingle `<transport>` / SDP), free of XML. */
export interface TransportParams {
  ufrag: string;
  pwd: string;
  fingerprints: SignalledFingerprint[];
  candidates: IceCandidate[];
}

/** An SSRC an endpoint sends. */
export interface SourceParams {
  ssrc: number;
  kind: MediaKind;
  /** For the primary SSRC of a video FID group: its RTX SSRC (also listed as a source of its own). */
  rtxSsrc?: number;
}

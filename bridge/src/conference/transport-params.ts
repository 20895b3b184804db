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

/** An SSRC an endpoint sends, and the name of the source it belongs to (a camera's layers and RTX share one). */
export interface SourceParams {
  ssrc: number;
  kind: MediaKind;
  /** The source name as signalled (`<endpoint>-v0`); absent for SSRCs signalled without one. */
  name?: string;
  /** For the primary SSRC of a video FID group: its RTX SSRC (also listed as a source of its own). */
  rtxSsrc?: number;
  /** The source's video type as Colibri2 signalled it (`camera`, `desktop`...), if it did. */
  videoType?: string;
}

/** How an endpoint's SSRCs relate: `SIM` (simulcast layers, low to high) and `FID` (primary, then its RTX). */
export interface SsrcGroupParams {
  semantics: string;
  ssrcs: readonly number[];
}

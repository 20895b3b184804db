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

/** An SSRC an endpoint sends; video SSRCs may name their source, SIM index (`encoding`) and RTX role. */
export interface SourceParams {
  ssrc: number;
  kind: MediaKind;
  name?: string;
  encoding?: number;
  rtx?: boolean;
  videoType?: string;
}

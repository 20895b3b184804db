// A Conference's options and the events it emits.
import type { VideoCodec } from './offer.js';

export interface ConferenceOptions {
  nick: string;
  focusJid: string;
  version: string;
  videoCodecs: readonly VideoCodec[];
  /** Nobody is invited to media before this many members are in (Jicofo's min-participants). */
  minParticipants: number;
  /** A member left alone this long loses its session; the bridge conference is expired. */
  singleParticipantTimeoutMs: number;
  /** Offer the SCTP data channel to clients that support it. */
  sctp: boolean;
  /**
   * Use SSRC rewriting for participants that advertise `http://jitsi.org/ssrc-rewriting-1` (Jicofo's
   * `jicofo.conference.use-ssrc-rewriting`, default true): the bridge maps the sources it forwards onto a few SSRCs
   * and announces them on the bridge channel; the focus signals such a participant no other participant's sources.
   */
  ssrcRewriting: boolean;
}

export type ConferenceEvents = {
  /** The room is empty or gone; the conference is over. */
  ended: [];
};

/** What a conference reports for /metrics (ConferenceManager counts it). */
export interface ConferenceCounters {
  /** Counts a failed Colibri2 request by its condition. */
  countColibriError?: (condition: string) => void;
  /** Counts participants re-invited when their conference moved to a fresh bridge session. */
  countMoved?: (participants: number) => void;
  /** Seconds from a participant's MUC join to its first session-accept. */
  observeJoin?: (seconds: number) => void;
}

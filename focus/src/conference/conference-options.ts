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
}

export type ConferenceEvents = {
  /** The room is empty or gone; the conference is over. */
  ended: [];
};

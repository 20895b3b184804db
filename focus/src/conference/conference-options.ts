// A Conference's options and the events it emits.
import type { Logger } from 'pino';
import type { Brewery } from '../bridges/brewery.js';
import type { FocusConnection } from '../xmpp/focus-connection.js';
import type { Conference } from './conference.js';
import type { FeatureDiscovery } from './features.js';
import type { VideoCodec } from './offer.js';
import type { Participant } from './participant.js';

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

export interface ConferenceDeps {
  conn: FocusConnection;
  brewery: Brewery;
  discovery: FeatureDiscovery;
  /** Tells the router which session belongs to whom. */
  sessions: Map<string, { conference: Conference; participant: Participant }>;
  log: Logger;
  /** Counts a failed Colibri2 request by its condition (for /metrics). */
  countColibriError?: (condition: string) => void;
  /** Counts participants re-invited when their conference moved to a fresh bridge session (for /metrics). */
  countMoved?: (participants: number) => void;
  /** Seconds from a participant's MUC join to its first session-accept (for /metrics). */
  observeJoin?: (seconds: number) => void;
}

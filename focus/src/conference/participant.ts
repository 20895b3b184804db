import type { ForceMute } from '@convene/protocol/colibri2';
import type { EndpointId } from '@convene/protocol/lib';
import { parseParticipantPresence, type ParticipantPresence } from '@convene/protocol/jitsi';
import type { Logger } from 'pino';
import type { JingleSession } from '../jingle/jingle-session.js';
import type { Occupant } from '../muc/occupant.js';

/** Jicofo's restart rate limit: at least 5 s apart, at most 5 a minute (PROTOCOL.md §4.6). */
const RESTART_MIN_GAP_MS = 5_000;
const RESTARTS_PER_MINUTE = 5;

/** A member of the room as the conference tracks it. */
export class Participant {
  readonly id: EndpointId;
  occupant: Occupant;
  presence: ParticipantPresence;
  session: JingleSession | undefined;
  /** An invite is being built (disco, allocation, initiate). */
  inviting = false;
  /** When the focus saw it join the room; its first session-accept measures the join time. */
  readonly joinedAt = Date.now();
  accepted = false;
  /** The bridge signals this participant the others' sources (SSRC rewriting): no source-add/remove from us. */
  ssrcRewriting = false;
  /** Invites sent so far (start-muted limits go with the first only). */
  invites = 0;
  /** What the bridge was told to drop from this participant (AV moderation). */
  forceMuted: ForceMute = { audio: false, video: false };
  readonly #restarts: number[] = [];

  constructor(id: EndpointId, occupant: Occupant, log: Logger) {
    this.id = id;
    this.occupant = occupant;
    this.presence = readPresence(occupant, log);
  }

  update(occupant: Occupant, log: Logger): void {
    this.occupant = occupant;
    this.presence = readPresence(occupant, log);
  }

  get region(): string | undefined {
    return this.presence.region;
  }

  /** Records a restart request; false when it comes too soon after others. */
  allowRestart(now: number): boolean {
    while (this.#restarts.length > 0 && now - (this.#restarts[0] ?? 0) > 60_000) this.#restarts.shift();
    const last = this.#restarts[this.#restarts.length - 1];
    if (last !== undefined && now - last < RESTART_MIN_GAP_MS) return false;
    if (this.#restarts.length >= RESTARTS_PER_MINUTE) return false;
    this.#restarts.push(now);
    return true;
  }
}

/** A presence we cannot fully read still lets the member in: the extensions are optional. */
function readPresence(occupant: Occupant, log: Logger): ParticipantPresence {
  try {
    return parseParticipantPresence(occupant.presence);
  } catch (err) {
    log.warn({ err, nick: occupant.nick }, 'unreadable presence extensions');
    return { features: [] };
  }
}

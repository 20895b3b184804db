/** What a bridge publishes in the brewery (PROTOCOL.md §6), as the focus uses it. */
export interface BridgeState {
  stressLevel: number;
  averageParticipantStress: number;
  /** Absent `drain` stat means draining (Jicofo's reading). */
  drain: boolean;
  gracefulShutdown: boolean;
  shuttingDown: boolean;
  region: string | undefined;
  version: string | undefined;
  relayId: string | undefined;
}

/** A failed Colibri2 request keeps a bridge out of selection this long (Jicofo's failure-reset-threshold). */
export const FAILURE_RESET_MS = 60_000;
/** Endpoints allocated this recently count towards a bridge's stress before its stats catch up. */
export const RECENT_ENDPOINT_WINDOW_MS = 20_000;

/** A bridge in the brewery: its last stats plus what the focus learned about it. */
export class Bridge {
  /** Brewery occupant JID, where Colibri2 IQs go. */
  readonly jid: string;
  state: BridgeState;
  #failedAt: number | undefined;
  #recentEndpoints: number[] = [];

  constructor(jid: string, state: BridgeState) {
    this.jid = jid;
    this.state = state;
  }

  /** The nick in the brewery, e.g. `jvb1`. */
  get id(): string {
    return this.jid.slice(this.jid.indexOf('/') + 1);
  }

  isOperational(now: number): boolean {
    return this.#failedAt === undefined || now - this.#failedAt > FAILURE_RESET_MS;
  }

  markFailed(now: number): void {
    this.#failedAt = now;
  }

  endpointAdded(now: number): void {
    this.#recentEndpoints.push(now);
  }

  /** Reported stress plus what recent allocations will add (Jicofo's corrected stress). */
  correctedStress(now: number): number {
    this.#recentEndpoints = this.#recentEndpoints.filter((t) => now - t < RECENT_ENDPOINT_WINDOW_MS);
    return this.state.stressLevel + this.#recentEndpoints.length * this.state.averageParticipantStress;
  }
}

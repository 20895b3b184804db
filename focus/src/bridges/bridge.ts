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

/** A failure keeps a bridge out of selection this long by default (Jicofo's failure-reset-threshold). */
export const FAILURE_RESET_MS = 60_000;

/** What failed a bridge: one of its Colibri2 answers, or the health checks. */
export type BridgeFailure = 'colibri' | 'health';

export interface BridgeOptions {
  /** How long a failure keeps the bridge out of selection. */
  failureResetMs?: number;
  /** The bridge can take conferences again: its failure window ended, or it passed a health check. */
  onOperational?: (b: Bridge) => void;
}
/** Endpoints allocated this recently count towards a bridge's stress before its stats catch up. */
export const RECENT_ENDPOINT_WINDOW_MS = 20_000;

/** A bridge in the brewery: its last stats plus what the focus learned about it. */
export class Bridge {
  /** Brewery occupant JID, where Colibri2 IQs go. */
  readonly jid: string;
  state: BridgeState;
  #failedAt: number | undefined;
  #failedBy: BridgeFailure | undefined;
  #recoveryTimer: NodeJS.Timeout | undefined;
  #recentEndpoints: number[] = [];
  readonly #failureResetMs: number;
  readonly #onOperational: ((b: Bridge) => void) | undefined;

  constructor(jid: string, state: BridgeState, options: BridgeOptions = {}) {
    this.jid = jid;
    this.state = state;
    this.#failureResetMs = options.failureResetMs ?? FAILURE_RESET_MS;
    this.#onOperational = options.onOperational;
  }

  /** The nick in the brewery, e.g. `jvb1`. */
  get id(): string {
    return this.jid.slice(this.jid.indexOf('/') + 1);
  }

  isOperational(now: number): boolean {
    return this.#failedAt === undefined || now - this.#failedAt >= this.#failureResetMs;
  }

  /** Out of selection for the failure window; `onOperational` runs when it ends, so waiting conferences retry. */
  markFailed(now: number, by: BridgeFailure = 'colibri'): void {
    this.#failedAt = now;
    this.#failedBy = by;
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = setTimeout(() => this.#recovered(), this.#failureResetMs);
    this.#recoveryTimer.unref();
  }

  /** A health check passed: a bridge the health checks failed is operational again at once. */
  healthPassed(): void {
    if (this.#failedAt !== undefined && this.#failedBy === 'health') this.#recovered();
  }

  /** The bridge left the brewery: no more notifications. */
  forget(): void {
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
  }

  #recovered(): void {
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    this.#failedAt = undefined;
    this.#failedBy = undefined;
    this.#onOperational?.(this);
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

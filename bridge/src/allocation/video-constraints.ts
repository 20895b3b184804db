// A receiver's wishes (ReceiverVideoConstraints, PROTOCOL.md §7.4), patched message by message as JVB does.

/** `maxHeight` -1: unlimited, 0: off. `maxFrameRate` -1: unlimited. */
export interface VideoConstraint {
  readonly maxHeight: number;
  readonly maxFrameRate: number;
}

export const UNLIMITED = -1;
export const DISABLED: VideoConstraint = { maxHeight: 0, maxFrameRate: 0 };
/** JVB's thumbnail height: the default constraint once a receiver has spoken without giving one. */
export const DEFAULT_THUMBNAIL_HEIGHT = 180;

/** One ReceiverVideoConstraints message as data (absent fields leave the state unchanged). */
export interface ConstraintsPatch {
  lastN?: number;
  selectedSources?: readonly string[];
  onStageSources?: readonly string[];
  defaultConstraints?: { maxHeight: number; maxFrameRate?: number };
  constraints?: Readonly<Record<string, { maxHeight: number; maxFrameRate?: number }>>;
  assumedBandwidthBps?: number;
}

function toConstraint(c: { maxHeight: number; maxFrameRate?: number }): VideoConstraint {
  return { maxHeight: c.maxHeight, maxFrameRate: c.maxFrameRate ?? UNLIMITED };
}

/** The receiver's allocation settings; nothing is forwarded before its first message (JVB). */
export class ReceiverConstraints {
  received = false;
  /** What every source gets before the first message: nothing (JVB), or unlimited for peers without a channel. */
  readonly #beforeFirst: VideoConstraint;
  lastN = -1;
  selectedSources: readonly string[] = [];
  onStageSources: readonly string[] = [];
  defaultConstraint: VideoConstraint = { maxHeight: DEFAULT_THUMBNAIL_HEIGHT, maxFrameRate: UNLIMITED };
  readonly constraints = new Map<string, VideoConstraint>();
  /** -1: use the bandwidth estimate. */
  assumedBandwidthBps = -1;

  constructor(beforeFirst: VideoConstraint = DISABLED) {
    this.#beforeFirst = beforeFirst;
  }

  /** Applies one message; returns whether anything changed. */
  apply(p: ConstraintsPatch): boolean {
    const before = this.#key();
    // last-N alone (LastNChangedEvent, Colibri2 initial-last-n) is not the receiver saying what it wants to see.
    if (Object.keys(p).some((k) => k !== 'lastN')) this.received = true;
    if (p.lastN !== undefined) this.lastN = p.lastN;
    if (p.selectedSources !== undefined) this.selectedSources = [...p.selectedSources];
    if (p.onStageSources !== undefined) this.onStageSources = [...p.onStageSources];
    if (p.defaultConstraints !== undefined) this.defaultConstraint = toConstraint(p.defaultConstraints);
    if (p.constraints !== undefined) {
      this.constraints.clear();
      for (const [name, c] of Object.entries(p.constraints)) this.constraints.set(name, toConstraint(c));
    }
    if (p.assumedBandwidthBps !== undefined) this.assumedBandwidthBps = p.assumedBandwidthBps;
    return before !== this.#key();
  }

  /** Sets last-N alone (LastNChangedEvent). */
  setLastN(n: number): boolean {
    return this.apply({ lastN: n });
  }

  /** What the receiver asked for this source (before last-N cuts it). */
  constraintFor(source: string): VideoConstraint {
    if (!this.received) return this.#beforeFirst;
    return this.constraints.get(source) ?? this.defaultConstraint;
  }

  #key(): string {
    return JSON.stringify([
      this.received,
      this.lastN,
      this.selectedSources,
      this.onStageSources,
      this.defaultConstraint,
      [...this.constraints],
      this.assumedBandwidthBps,
    ]);
  }
}

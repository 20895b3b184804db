// Dominant speaker from ssrc-audio-level (RFC 6464): who has been speaking, not who sent the loudest packet.
// Speech is scored over two time scales (the last 300 ms and the last 1.5 s, like the immediate and medium scales
// of the Volfin-Cohen detector JVB uses), and a challenger takes over only with a clear margin (hysteresis).

/** RFC 6464 levels are -dBov (0 loudest, 127 silence); louder than -55 dBov counts as speech in an interval. */
const SPEECH_LEVEL = 55;
/** Intervals kept per endpoint (at the default 100 ms: 1.5 s) and those of the immediate scale. */
const MEDIUM_INTERVALS = 15;
const IMMEDIATE_INTERVALS = 3;
/** A challenger needs this much more of the medium window spoken than the dominant speaker. */
const SWITCH_MARGIN = 0.2;
/** And at least this much of it spoken, and most of the immediate window. */
const MIN_MEDIUM = 0.3;
const MIN_IMMEDIATE = 2 / 3;
/** The recent speakers list JVB sends (dominant first). */
export const RECENT_SPEAKERS = 10;

/** One endpoint's speech; the forwarder calls `onLevel` per audio packet (no allocation). */
export class SpeechActivity {
  readonly endpointId: string;
  /** Speech seen in the current interval. */
  #speaking = false;
  readonly #intervals = new Uint8Array(MEDIUM_INTERVALS);
  #next = 0;

  constructor(endpointId: string) {
    this.endpointId = endpointId;
  }

  /** `level`: the RFC 6464 level (0..127, -dBov). */
  onLevel(level: number): void {
    if (level <= SPEECH_LEVEL) this.#speaking = true;
  }

  /** Closes the current interval. */
  roll(): void {
    this.#intervals[this.#next] = this.#speaking ? 1 : 0;
    this.#next = (this.#next + 1) % MEDIUM_INTERVALS;
    this.#speaking = false;
  }

  /** Fraction of the last `n` closed intervals with speech. */
  score(n: number): number {
    let s = 0;
    for (let k = 1; k <= n; k++) s += this.#intervals[(this.#next - k + MEDIUM_INTERVALS) % MEDIUM_INTERVALS]!;
    return s / n;
  }
}

/** Per conference: call `evaluate` every interval (100 ms); it says when the dominant speaker changed. */
export class DominantSpeakerDetector {
  readonly #activity = new Map<string, SpeechActivity>();
  #dominant: string | undefined;
  #recent: string[] = [];

  get dominant(): string | undefined {
    return this.#dominant;
  }

  /** Recent speakers, dominant first, at most RECENT_SPEAKERS. */
  get recentSpeakers(): readonly string[] {
    return this.#recent;
  }

  add(endpointId: string): SpeechActivity {
    let a = this.#activity.get(endpointId);
    if (a === undefined) {
      a = new SpeechActivity(endpointId);
      this.#activity.set(endpointId, a);
    }
    return a;
  }

  /** Forgets an endpoint; returns true when it was the dominant speaker (the next evaluation picks another). */
  remove(endpointId: string): boolean {
    this.#activity.delete(endpointId);
    this.#recent = this.#recent.filter((id) => id !== endpointId);
    if (this.#dominant !== endpointId) return false;
    this.#dominant = this.#recent[0];
    return true;
  }

  /** Closes an interval for everyone; returns true when the dominant speaker changed. */
  evaluate(): boolean {
    for (const a of this.#activity.values()) a.roll();
    const current = this.#dominant === undefined ? undefined : this.#activity.get(this.#dominant);
    const currentMedium = current?.score(MEDIUM_INTERVALS) ?? 0;
    let best: SpeechActivity | undefined;
    let bestMedium = 0;
    for (const a of this.#activity.values()) {
      if (a === current) continue;
      const m = a.score(MEDIUM_INTERVALS);
      if (m < MIN_MEDIUM || a.score(IMMEDIATE_INTERVALS) < MIN_IMMEDIATE) continue;
      if (m > bestMedium) {
        best = a;
        bestMedium = m;
      }
    }
    if (best === undefined) return false;
    // A dominant speaker who went quiet gives way at once; one still talking only to a clearly busier challenger.
    const currentQuiet = current === undefined || current.score(IMMEDIATE_INTERVALS) === 0;
    if (!currentQuiet && bestMedium < currentMedium + SWITCH_MARGIN) return false;
    this.#dominant = best.endpointId;
    this.#recent = [best.endpointId, ...this.#recent.filter((id) => id !== best.endpointId)].slice(0, RECENT_SPEAKERS);
    return true;
  }
}

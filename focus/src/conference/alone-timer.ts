/** The single-participant timer (PROTOCOL.md §3.3): runs while exactly one member is in the room. */
export class AloneTimer {
  readonly #ms: number;
  readonly #fire: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number, fire: () => void) {
    this.#ms = ms;
    this.#fire = fire;
  }

  /** Starts the timer when `members` is 1 (unless running), stops it otherwise. */
  update(members: number): void {
    if (members !== 1) {
      this.stop();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, this.#ms);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

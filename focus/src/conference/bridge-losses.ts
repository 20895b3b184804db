/** conference_not_found this often within WINDOW_MS fails the bridge: repeated losses say something about it. */
const MAX_LOSSES = 2;
const WINDOW_MS = 60_000;

/** When the bridge said it lost one conference (conference_not_found), kept for a minute. */
export class BridgeLosses {
  #at: number[] = [];

  /** Records a loss; true when it is one too many (the third within a minute). */
  tooMany(now: number): boolean {
    this.#at = this.#at.filter((t) => now - t < WINDOW_MS);
    this.#at.push(now);
    return this.#at.length > MAX_LOSSES;
  }
}

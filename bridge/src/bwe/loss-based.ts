// The loss-based bound (draft-ietf-rmcat-gcc §6, with the acknowledged rate as the floor of a decrease): below
// 2 % loss it grows, between 2 and 10 % it holds, above 10 % it falls to what the receiver actually got, since a
// path losing that much is taking all it can (or is too lossy to push harder).

/** A loss sample needs this many packets (at 5 % random loss, 100 packets read above 10 % about 1 % of the time). */
const MIN_PACKETS = 100;
const LOW = 0.02;
const HIGH = 0.1;
const GROWTH_PER_S = 1.08;

export class LossBasedBound {
  /** Infinity until loss first bounds the estimate. */
  boundBps = Infinity;
  /** The loss fraction of the last complete sample. */
  lossFraction = 0;
  #lost = 0;
  #total = 0;
  #lastUpdateMs = NaN;

  onPacket(received: boolean): void {
    this.#total++;
    if (!received) this.#lost++;
  }

  /** After each feedback: once enough packets were reported, a new sample of the loss fraction moves the bound. */
  update(ackedBps: number, estimateBps: number, minBps: number, nowMs: number): void {
    if (this.#total < MIN_PACKETS) return;
    const p = this.#lost / this.#total;
    this.lossFraction = p;
    this.#lost = 0;
    this.#total = 0;
    const dtMs = Number.isNaN(this.#lastUpdateMs) ? 0 : Math.min(nowMs - this.#lastUpdateMs, 1000);
    this.#lastUpdateMs = nowMs;
    if (p > HIGH) {
      // What got through is what the path takes now (the bound may rise to it after an overshoot).
      const from = Math.min(this.boundBps, estimateBps);
      this.boundBps = Math.max(Number.isNaN(ackedBps) ? from * (1 - 0.5 * p) : ackedBps, minBps);
    } else if (p < LOW && Number.isFinite(this.boundBps)) {
      this.boundBps *= Math.pow(GROWTH_PER_S, dtMs / 1000);
      // Far above the delay-based estimate it no longer bounds anything.
      if (this.boundBps > 2 * estimateBps) this.boundBps = Infinity;
    }
  }

  /** A probe got through at `bps` with little loss. */
  raiseTo(bps: number): void {
    if (this.boundBps < bps) this.boundBps = bps;
  }
}

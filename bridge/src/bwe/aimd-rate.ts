// The rate controller of the delay-based estimate (draft-ietf-rmcat-gcc §5.5): increase while the path is
// normal (multiplicatively far from the last known capacity, additively near it), decrease to 85 % of what the
// receiver got on overuse, hold on underuse while the queue drains.
import type { BandwidthUsage } from './trendline.js';

const BETA = 0.85;
const MULTIPLICATIVE_PER_S = 1.08;
const PACKET_BITS = 1200 * 8;

export class AimdRateControl {
  rateBps: number;
  #state: 'hold' | 'increase' = 'increase';
  #lastUpdateMs = NaN;
  #lastDecreaseMs = -Infinity;
  /** The receive rate at the last decreases (kbps, smoothed) and its normalised variance: the link's capacity. */
  #capacityKbps = NaN;
  #capacityVar = 0.4;
  rttMs = 100;

  constructor(startBps: number) {
    this.rateBps = startBps;
  }

  /** Whether the last decrease found the link's capacity (the rate then grows additively near it). */
  get nearCapacity(): boolean {
    return !Number.isNaN(this.#capacityKbps);
  }

  update(usage: BandwidthUsage, ackedBps: number, nowMs: number): void {
    const dtMs = Number.isNaN(this.#lastUpdateMs) ? 0 : Math.min(Math.max(nowMs - this.#lastUpdateMs, 0), 1000);
    this.#lastUpdateMs = nowMs;
    if (usage === 'overusing') {
      // One decrease per response time: the queue needs that long to show the previous one.
      if (nowMs - this.#lastDecreaseMs < this.rttMs + 100) return;
      this.#lastDecreaseMs = nowMs;
      const target = Number.isNaN(ackedBps) ? this.rateBps * BETA : ackedBps * BETA;
      if (!Number.isNaN(ackedBps)) this.#noteCapacity(ackedBps / 1000);
      this.rateBps = Math.min(this.rateBps, target);
      this.#state = 'hold';
      return;
    }
    if (usage === 'underusing') {
      this.#state = 'hold';
      return;
    }
    if (this.#state === 'hold') {
      this.#state = 'increase';
      return;
    }
    if (!Number.isNaN(ackedBps) && this.nearCapacity && ackedBps / 1000 > this.#capacityKbps + 3 * this.#stdKbps()) {
      this.#capacityKbps = NaN; // the path got better: search multiplicatively again
    }
    let next: number;
    if (this.nearCapacity) {
      const perS = Math.max(4000, (PACKET_BITS * 1000) / (this.rttMs + 100));
      next = this.rateBps + (perS * dtMs) / 1000;
    } else {
      next = Math.max(this.rateBps * Math.pow(MULTIPLICATIVE_PER_S, dtMs / 1000), this.rateBps + dtMs);
    }
    // Never increase past what the receiver has shown it takes by much; probes raise that bound.
    if (!Number.isNaN(ackedBps)) {
      const limit = 1.5 * ackedBps + 10_000;
      if (next > limit) next = Math.max(this.rateBps, limit);
    }
    this.rateBps = next;
  }

  /** A probe showed the path takes `bps`. */
  raiseTo(bps: number): void {
    if (bps > this.rateBps) this.rateBps = bps;
  }

  #stdKbps(): number {
    return Math.sqrt(this.#capacityVar * this.#capacityKbps);
  }

  #noteCapacity(kbps: number): void {
    if (Number.isNaN(this.#capacityKbps)) this.#capacityKbps = kbps;
    else this.#capacityKbps = 0.95 * this.#capacityKbps + 0.05 * kbps;
    const norm = Math.max(this.#capacityKbps, 1);
    const d = this.#capacityKbps - kbps;
    this.#capacityVar = Math.min(Math.max(0.95 * this.#capacityVar + (0.05 * d * d) / norm, 0.4), 2.5);
  }
}

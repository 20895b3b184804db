// The delay-based half of a GCC-like estimator (draft-ietf-rmcat-gcc §5, and the trendline filter libwebrtc uses
// instead of its Kalman filter): packets are grouped by send time into bursts; the growth of one-way delay
// between groups is accumulated, smoothed, and its slope over a window of groups taken by least squares. A slope
// above an adaptive threshold for long enough means a queue is building: overuse.

export type BandwidthUsage = 'normal' | 'overusing' | 'underusing';

/** Packets sent within this of a group's first belong to it (a frame, a probe train). */
const BURST_MS = 5;
const WINDOW = 20;
const SMOOTHING = 0.9;
const GAIN = 4;
const MAX_DELTAS = 60;
/** Overuse must last this long (and grow) before it is reported. */
const OVERUSE_MS = 10;
const K_UP = 0.0087;
const K_DOWN = 0.039;
const THRESHOLD_MIN = 6;
const THRESHOLD_MAX = 600;

export class Trendline {
  state: BandwidthUsage = 'normal';
  /** Last modified trend (ms of delay growth scaled by the number of deltas), for tests and debug. */
  trend = 0;
  threshold = 12.5;
  #groupFirstSend = NaN;
  #groupLastSend = NaN;
  #groupLastArrival = NaN;
  #prevLastSend = NaN;
  #prevLastArrival = NaN;
  #firstArrival = NaN;
  #accumulated = 0;
  #smoothed = 0;
  #deltas = 0;
  readonly #x = new Float64Array(WINDOW);
  readonly #y = new Float64Array(WINDOW);
  #n = 0;
  #head = 0;
  #overuseMs = -1;
  #overuseCount = 0;
  #prevTrend = 0;
  #lastThresholdUpdate = NaN;

  /** One received packet, in sequence (send) order. */
  onPacket(sendMs: number, arrivalMs: number): void {
    if (Number.isNaN(this.#groupFirstSend)) {
      this.#startGroup(sendMs, arrivalMs);
      return;
    }
    if (sendMs < this.#groupFirstSend) return; // reordered into a group already closed
    if (sendMs - this.#groupFirstSend <= BURST_MS) {
      this.#groupLastSend = Math.max(this.#groupLastSend, sendMs);
      this.#groupLastArrival = Math.max(this.#groupLastArrival, arrivalMs);
      return;
    }
    // The group is complete: compare it with the one before.
    if (!Number.isNaN(this.#prevLastSend)) {
      const sendDelta = this.#groupLastSend - this.#prevLastSend;
      const arrivalDelta = this.#groupLastArrival - this.#prevLastArrival;
      this.#update(arrivalDelta - sendDelta, arrivalDelta, this.#groupLastArrival);
    }
    this.#prevLastSend = this.#groupLastSend;
    this.#prevLastArrival = this.#groupLastArrival;
    this.#startGroup(sendMs, arrivalMs);
  }

  #startGroup(sendMs: number, arrivalMs: number): void {
    this.#groupFirstSend = sendMs;
    this.#groupLastSend = sendMs;
    this.#groupLastArrival = arrivalMs;
  }

  #update(variationMs: number, arrivalDeltaMs: number, arrivalMs: number): void {
    if (Number.isNaN(this.#firstArrival)) this.#firstArrival = arrivalMs;
    this.#deltas = Math.min(this.#deltas + 1, MAX_DELTAS);
    this.#accumulated += variationMs;
    this.#smoothed = SMOOTHING * this.#smoothed + (1 - SMOOTHING) * this.#accumulated;
    this.#x[this.#head] = arrivalMs - this.#firstArrival;
    this.#y[this.#head] = this.#smoothed;
    this.#head = (this.#head + 1) % WINDOW;
    if (this.#n < WINDOW) this.#n++;
    let slope = this.#prevTrend;
    if (this.#n === WINDOW) slope = this.#slope();
    this.#detect(slope, arrivalDeltaMs, arrivalMs);
  }

  #slope(): number {
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < WINDOW; i++) {
      sx += this.#x[i]!;
      sy += this.#y[i]!;
    }
    const mx = sx / WINDOW;
    const my = sy / WINDOW;
    let num = 0;
    let den = 0;
    for (let i = 0; i < WINDOW; i++) {
      const dx = this.#x[i]! - mx;
      num += dx * (this.#y[i]! - my);
      den += dx * dx;
    }
    return den === 0 ? this.#prevTrend : num / den;
  }

  #detect(slope: number, dtMs: number, nowMs: number): void {
    const modified = Math.min(this.#deltas, MAX_DELTAS) * slope * GAIN;
    this.trend = modified;
    if (modified > this.threshold) {
      this.#overuseMs = this.#overuseMs < 0 ? dtMs / 2 : this.#overuseMs + dtMs;
      this.#overuseCount++;
      if (this.#overuseMs > OVERUSE_MS && this.#overuseCount > 1 && slope >= this.#prevTrend) {
        this.#overuseMs = 0;
        this.#overuseCount = 0;
        this.state = 'overusing';
      }
    } else if (modified < -this.threshold) {
      this.#overuseMs = -1;
      this.#overuseCount = 0;
      this.state = 'underusing';
    } else {
      this.#overuseMs = -1;
      this.#overuseCount = 0;
      this.state = 'normal';
    }
    this.#prevTrend = slope;
    this.#adaptThreshold(modified, nowMs);
  }

  /** The threshold follows the trend, slowly up and faster down, so a noisy path does not read as overuse. */
  #adaptThreshold(modified: number, nowMs: number): void {
    if (Number.isNaN(this.#lastThresholdUpdate)) this.#lastThresholdUpdate = nowMs;
    const abs = Math.abs(modified);
    // A spike far above the threshold (a route change, a stall) does not drag the threshold with it.
    if (abs > this.threshold + 15) {
      this.#lastThresholdUpdate = nowMs;
      return;
    }
    const k = abs < this.threshold ? K_DOWN : K_UP;
    const dt = Math.min(nowMs - this.#lastThresholdUpdate, 100);
    this.threshold += k * (abs - this.threshold) * dt;
    this.threshold = Math.min(Math.max(this.threshold, THRESHOLD_MIN), THRESHOLD_MAX);
    this.#lastThresholdUpdate = nowMs;
  }
}

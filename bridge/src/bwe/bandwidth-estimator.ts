// One receiver's send-side bandwidth estimate: what the bridge may send it. Fed with what the bridge sent (per
// packet, allocation-free) and the receiver's transport-cc feedback (a few times a second); the estimate is the
// lower of a delay-based rate (trendline + AIMD) and a loss-based bound, raised by probes.
import { AckedRate } from './acked-rate.js';
import { AimdRateControl } from './aimd-rate.js';
import { LossBasedBound } from './loss-based.js';
import { ProbeController } from './probe-controller.js';
import { SendHistory } from './send-history.js';
import { Trendline, type BandwidthUsage } from './trendline.js';

export interface BandwidthEstimatorOptions {
  startBps?: number;
  minBps?: number;
  maxBps?: number;
  /**
   * Probes never aim higher than this (10 Mbps by default: more than a receiver of one HD stream and a page of
   * thumbnails needs). Above it the estimate grows only with what is actually sent.
   */
  maxProbeBps?: number;
}

/** A decoded feedback packet: statuses from `base`, arrival times (ms) or NaN when not received. */
export interface FeedbackReport {
  readonly base: number;
  readonly count: number;
  readonly arrivalMs: Float64Array;
}

export class BandwidthEstimator {
  readonly history: SendHistory;
  readonly probes: ProbeController;
  /**
   * What the receiver's video allocation would send it with unlimited bandwidth (bps; 0: unknown): while the
   * estimate is below it, probes go on even though little is sent (the allocation holds back for the estimate).
   */
  desiredBps = 0;
  readonly #trendline = new Trendline();
  readonly #acked = new AckedRate();
  readonly #aimd: AimdRateControl;
  readonly #loss = new LossBasedBound();
  readonly #minBps: number;
  readonly #maxBps: number;
  #estimate: number;
  /** Highest unwrapped sequence number reported so far: a packet is counted lost or received once. */
  #highestReported = -1;
  feedbackCount = 0;

  constructor(opts: BandwidthEstimatorOptions = {}, firstSeq = 0) {
    this.#minBps = opts.minBps ?? 30_000;
    this.#maxBps = opts.maxBps ?? 20_000_000;
    this.#estimate = opts.startBps ?? 300_000;
    this.#aimd = new AimdRateControl(this.#estimate);
    this.probes = new ProbeController(Math.min(opts.maxProbeBps ?? 10_000_000, this.#maxBps));
    this.history = new SendHistory(firstSeq);
  }

  get estimateBps(): number {
    return this.#estimate;
  }

  get usage(): BandwidthUsage {
    return this.#trendline.state;
  }

  get lossFraction(): number {
    return this.#loss.lossFraction;
  }

  get ackedBps(): number {
    return this.#acked.bps;
  }

  get rttMs(): number {
    return this.#aimd.rttMs;
  }

  /** Hot path: a packet of `bytes` on the wire goes out now; returns the transport-wide sequence number to stamp. */
  onSent(bytes: number, nowMs: number, probeId: number): number {
    if (probeId !== 0) this.probes.onSent(probeId, bytes);
    return this.history.onSent(bytes, nowMs, probeId);
  }

  /** A transport-cc feedback packet from the receiver, decoded; `nowMs` on the clock `onSent` used. */
  onFeedback(report: FeedbackReport, nowMs: number): void {
    this.feedbackCount++;
    const h = this.history;
    let lastSendMs = NaN;
    for (let i = 0; i < report.count; i++) {
      const seq = h.unwrap((report.base + i) & 0xffff);
      if (!h.has(seq)) continue;
      const arrival = report.arrivalMs[i]!;
      const received = !Number.isNaN(arrival);
      if (seq > this.#highestReported) {
        // Only the first report of a packet counts for loss; a later "received" for it still feeds the delay.
        this.#loss.onPacket(received);
        this.#highestReported = seq;
      }
      if (!received) continue;
      const sendMs = h.sentMs(seq);
      const bytes = h.bytes(seq);
      this.#acked.onReceived(arrival, bytes);
      this.#trendline.onPacket(sendMs, arrival);
      const probe = h.probe(seq);
      if (probe !== 0) this.probes.onFeedback(probe, sendMs, arrival, bytes);
      lastSendMs = sendMs;
    }
    // Round trip, roughly: the newest packet reported left this long ago (the feedback interval is in it).
    if (!Number.isNaN(lastSendMs)) this.#aimd.rttMs = 0.9 * this.#aimd.rttMs + 0.1 * Math.max(nowMs - lastSendMs, 10);
    const acked = this.#acked.bps;
    this.#aimd.update(this.#trendline.state, acked, nowMs);
    this.#loss.update(acked, this.#aimd.rateBps, this.#minBps, nowMs);
    const probed = this.probes.evaluate(nowMs);
    if (probed > 0 && this.#loss.lossFraction < 0.1) {
      this.#aimd.raiseTo(probed);
      this.#loss.raiseTo(probed);
    }
    this.#estimate = Math.min(Math.max(Math.min(this.#aimd.rateBps, this.#loss.boundBps), this.#minBps), this.#maxBps);
  }

  /** Called on the media timer: starts a probe cluster when one is due. */
  tick(nowMs: number): void {
    const quiet = this.#trendline.state === 'normal' && this.#loss.lossFraction < 0.02;
    this.probes.maybeStart(this.#estimate, this.#acked.bps, quiet, nowMs, this.desiredBps);
  }
}

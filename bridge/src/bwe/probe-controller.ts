// Probing (the idea of libwebrtc's ProbeController and ProbeBitrateEstimator): for a short cluster the pipeline
// tops up what it sends a receiver with padding until the cluster's rate reaches a target above the estimate; the
// rate the cluster arrived at, from the receiver's feedback, says whether the path takes more. Without it the
// estimate could only grow to 1.5 x what the bridge happens to send.

/** Clusters last this long; padding is sent after media packets, so they pace it. */
export const CLUSTER_MS = 40;
const MIN_PACKETS = 5;
/** Between probes in steady state, and after the initial ones. */
const PERIODIC_MS = 5_000;
/** A probe that got at least this share of its target through is followed by a higher one at once. */
const FURTHER = 0.7;

interface Cluster {
  id: number;
  targetBps: number;
  startMs: number;
  sentPackets: number;
  sentBytes: number;
  received: number;
  bytes: number;
  firstSendMs: number;
  lastSendMs: number;
  lastSendBytes: number;
  firstArrivalMs: number;
  firstArrivalBytes: number;
  lastArrivalMs: number;
  done: boolean;
}

function newCluster(): Cluster {
  return {
    id: 0,
    targetBps: 0,
    startMs: 0,
    sentPackets: 0,
    sentBytes: 0,
    received: 0,
    bytes: 0,
    firstSendMs: Infinity,
    lastSendMs: -Infinity,
    lastSendBytes: 0,
    firstArrivalMs: Infinity,
    firstArrivalBytes: 0,
    lastArrivalMs: -Infinity,
    done: true,
  };
}

export class ProbeController {
  /** Results of the last clusters, for debug: bps the path took (0: inconclusive). */
  lastResultBps = 0;
  probesSent = 0;
  readonly #clusters: Cluster[] = [newCluster(), newCluster(), newCluster(), newCluster()];
  #nextId = 1;
  #active: Cluster | undefined;
  #pending: number[] = [];
  #nextPeriodicMs = 0;
  #started = false;
  readonly #maxBps: number;

  constructor(maxBps: number) {
    this.#maxBps = maxBps;
  }

  /** The id of the cluster being sent (0: none) and how many bytes the pipeline should add now to keep its rate. */
  activeId(nowMs: number): number {
    const c = this.#active;
    if (c === undefined) return 0;
    if (nowMs - c.startMs > CLUSTER_MS && c.sentPackets >= MIN_PACKETS) {
      this.#active = undefined;
      return 0;
    }
    return c.id;
  }

  /** Bytes of padding owed to the active cluster at `nowMs` (0 when it is on rate or there is none). */
  owedBytes(nowMs: number): number {
    const c = this.#active;
    if (c === undefined) return 0;
    const elapsed = Math.max(nowMs - c.startMs, 1);
    const due = (c.targetBps * Math.min(elapsed, CLUSTER_MS)) / 8000;
    const owed = due - c.sentBytes;
    if (c.sentPackets < MIN_PACKETS && owed <= 0) return 1; // at least MIN_PACKETS packets per cluster
    return owed;
  }

  /** A packet went out in cluster `id`. */
  onSent(id: number, bytes: number): void {
    const c = this.#clusters[id & 3]!;
    if (c.id !== id) return;
    c.sentPackets++;
    c.sentBytes += bytes;
  }

  /**
   * Decides whether to start a cluster: the initial ones, then one every few seconds while nothing hurts and the
   * estimate is close to what the receiver gets (with room above it already, a probe would only risk a queue), or
   * while the allocation wants more than the estimate (it sends little because of the estimate: JVB probes then).
   */
  maybeStart(estimateBps: number, ackedBps: number, quiet: boolean, nowMs: number, desiredBps = 0): void {
    if (this.#active !== undefined) return;
    if (!this.#started) {
      this.#started = true;
      this.#pending = [3 * estimateBps, 6 * estimateBps];
    } else if (
      this.#pending.length === 0 &&
      quiet &&
      nowMs >= this.#nextPeriodicMs &&
      estimateBps < this.#maxBps &&
      (!(estimateBps > 1.5 * ackedBps) || desiredBps > estimateBps)
    ) {
      this.#pending = [2 * estimateBps];
    }
    const target = this.#pending.shift();
    if (target === undefined) return;
    this.#nextPeriodicMs = nowMs + PERIODIC_MS;
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7ff0 ? 1 : this.#nextId + 1;
    const c = this.#clusters[id & 3]!;
    Object.assign(c, newCluster(), { id, targetBps: Math.min(target, this.#maxBps), startMs: nowMs, done: false });
    this.#active = c;
    this.probesSent++;
  }

  /** Feedback about one packet of cluster `id`. */
  onFeedback(id: number, sendMs: number, arrivalMs: number, bytes: number): void {
    const c = this.#clusters[id & 3]!;
    if (c.id !== id || c.done) return;
    c.received++;
    c.bytes += bytes;
    if (sendMs < c.firstSendMs) c.firstSendMs = sendMs;
    if (sendMs > c.lastSendMs) {
      c.lastSendMs = sendMs;
      c.lastSendBytes = bytes;
    }
    if (arrivalMs < c.firstArrivalMs) {
      c.firstArrivalMs = arrivalMs;
      c.firstArrivalBytes = bytes;
    }
    if (arrivalMs > c.lastArrivalMs) c.lastArrivalMs = arrivalMs;
  }

  /**
   * After a feedback: the rate a finished cluster proved (the lower of how fast it was sent and how fast it
   * arrived; a little under the arrival rate when the path slowed it down), or 0.
   */
  evaluate(nowMs: number): number {
    let best = 0;
    for (const c of this.#clusters) {
      if (c.done || c === this.#active || c.received < MIN_PACKETS || c.received < 0.8 * c.sentPackets) {
        if (!c.done && nowMs - c.startMs > 2000) c.done = true; // its feedback never came: forget it
        continue;
      }
      c.done = true;
      const sendSpan = c.lastSendMs - c.firstSendMs;
      const arrivalSpan = c.lastArrivalMs - c.firstArrivalMs;
      if (sendSpan <= 0 || arrivalSpan <= 0) continue;
      const sendBps = ((c.bytes - c.lastSendBytes) * 8000) / sendSpan;
      const arrivalBps = ((c.bytes - c.firstArrivalBytes) * 8000) / arrivalSpan;
      if (arrivalBps > 2 * sendBps) continue; // bunched up on the way: says nothing
      const result = arrivalBps < 0.9 * sendBps ? 0.95 * arrivalBps : Math.min(sendBps, arrivalBps);
      this.lastResultBps = result;
      if (result >= FURTHER * c.targetBps && this.#pending.length === 0 && c.targetBps < this.#maxBps)
        this.#pending.push(2 * result);
      best = Math.max(best, result);
    }
    return best;
  }
}

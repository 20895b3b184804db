// A packet-level model of one bottleneck for the estimator's unit tests: a drop-tail queue served at a capacity
// that may change, a propagation delay, optional random loss, and feedback every 100 ms as a receiver would send.
import { BandwidthEstimator } from '../../../../bridge/src/bwe/index.js';

export interface Phase {
  /** Until this time (ms) the phase applies. */
  untilMs: number;
  capacityBps: number;
  /** What the sender has to send (media), bps. */
  mediaBps: number;
  loss?: number;
}

export interface SimResult {
  /** [time s, estimate kbps] every 500 ms. */
  curve: Array<[number, number]>;
  estimateAt(ms: number): number;
  est: BandwidthEstimator;
}

const MEDIA_BYTES = 1200;
const PADDING_BYTES = 300;
const QUEUE_MS = 100;
const PROP_MS = 20;

/** A seeded PRNG (mulberry32) so a trace is the same every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulate(phases: readonly Phase[], opts: { probing?: boolean; seed?: number } = {}): SimResult {
  const est = new BandwidthEstimator({ startBps: 300_000 });
  const random = rng(opts.seed ?? 1);
  const probing = opts.probing ?? true;
  const arrivals = new Map<number, number>(); // unwrapped seq -> arrival ms (NaN: lost)
  let seq = 0;
  let nextReport = 0;
  let linkFreeAt = 0;
  let nextMediaAt = 0;
  const samples: Array<[number, number]> = [];
  const end = phases[phases.length - 1]!.untilMs;
  const report = { base: 0, count: 0, arrivalMs: new Float64Array(4096) };

  const send = (t: number, bytes: number, probe: number, phase: Phase) => {
    est.onSent(bytes + 28, t, probe);
    const s = seq++;
    const queued = Math.max(linkFreeAt - t, 0);
    if (queued > QUEUE_MS || random() < (phase.loss ?? 0)) {
      arrivals.set(s, NaN);
      return;
    }
    linkFreeAt = Math.max(linkFreeAt, t) + ((bytes + 28) * 8 * 1000) / phase.capacityBps;
    arrivals.set(s, linkFreeAt + PROP_MS);
  };

  for (let t = 0; t < end; t++) {
    const phase = phases.find((p) => t < p.untilMs)!;
    while (nextMediaAt <= t) {
      send(t, MEDIA_BYTES, est.probes.activeId(t), phase);
      nextMediaAt += (MEDIA_BYTES * 8 * 1000) / phase.mediaBps;
    }
    // Padding on a 2 ms timer while a cluster is on, as the pipeline sends it.
    if (probing && t % 2 === 0) {
      for (let k = 0; k < 16; k++) {
        const id = est.probes.activeId(t);
        if (id === 0 || est.probes.owedBytes(t) <= 0) break;
        send(t, PADDING_BYTES, id, phase);
      }
    }
    if (t % 50 === 0 && probing) est.tick(t);
    if (t % 100 === 0 && t > 0) {
      // Feedback: every packet from the first unreported to the last that has arrived by now.
      let last = -1;
      for (let s = nextReport; s < seq; s++) {
        const a = arrivals.get(s)!;
        if (!Number.isNaN(a) && a <= t) last = s;
      }
      if (last >= nextReport) {
        report.base = nextReport & 0xffff;
        report.count = last - nextReport + 1;
        for (let i = 0; i < report.count; i++) {
          const a = arrivals.get(nextReport + i)!;
          report.arrivalMs[i] = a <= t ? a : NaN;
          arrivals.delete(nextReport + i);
        }
        nextReport = last + 1;
        est.onFeedback(report, t + PROP_MS);
      }
    }
    if (t % 500 === 0) samples.push([t / 1000, Math.round(est.estimateBps / 1000)]);
  }
  return {
    curve: samples,
    est,
    estimateAt: (ms) => samples.find(([s]) => s * 1000 >= ms)![1] * 1000,
  };
}

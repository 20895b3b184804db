// The send-side estimator on synthetic traces through a modelled bottleneck (link-sim.ts): a capacity the bridge
// overdrives, a capacity that changes, a loss burst, random loss, and probing above an application-limited rate.
import { simulate } from './link-sim.js';

const within = (value: number, target: number, share: number) => Math.abs(value - target) <= share * target;

describe('BandwidthEstimator on a modelled bottleneck', () => {
  it('settles within 20% of a 500 kbps cap the bridge overdrives, within 15 s, and stays there', () => {
    const r = simulate([{ untilMs: 40_000, capacityBps: 500_000, mediaBps: 1_200_000 }]);
    const late = r.curve.filter(([t]) => t >= 15);
    for (const [t, kbps] of late) expect([t, within(kbps, 500, 0.2)]).toEqual([t, true]);
  });

  it('follows the capacity down and up again', () => {
    const r = simulate([
      { untilMs: 20_000, capacityBps: 2_000_000, mediaBps: 1_500_000 },
      { untilMs: 40_000, capacityBps: 500_000, mediaBps: 1_500_000 },
      { untilMs: 60_000, capacityBps: 2_000_000, mediaBps: 1_500_000 },
    ]);
    expect(r.estimateAt(19_000)).toBeGreaterThan(1_500_000);
    expect(r.estimateAt(25_000)).toBeLessThan(600_000);
    expect(r.estimateAt(39_000)).toBeGreaterThan(400_000);
    expect(r.estimateAt(45_000)).toBeGreaterThan(1_500_000);
  });

  it('falls during a loss burst and recovers after it', () => {
    const r = simulate([
      { untilMs: 10_000, capacityBps: 5_000_000, mediaBps: 1_000_000 },
      { untilMs: 12_000, capacityBps: 5_000_000, mediaBps: 1_000_000, loss: 0.3 },
      { untilMs: 30_000, capacityBps: 5_000_000, mediaBps: 1_000_000 },
    ]);
    const before = r.estimateAt(9_500);
    expect(before).toBeGreaterThan(2_000_000);
    expect(r.estimateAt(12_000)).toBeLessThan(1_200_000);
    expect(r.estimateAt(20_000)).toBeGreaterThan(2_000_000);
  });

  it('is not pulled below what it sends by 5% random loss', () => {
    const r = simulate([{ untilMs: 30_000, capacityBps: 5_000_000, mediaBps: 1_000_000, loss: 0.05 }]);
    for (const [t, kbps] of r.curve.filter(([s]) => s >= 2)) expect([t, kbps >= 800]).toEqual([t, true]);
  });

  it('probes above an application-limited rate; without probes it stays near 1.5x what it sends', () => {
    const phases = [{ untilMs: 10_000, capacityBps: 3_000_000, mediaBps: 300_000 }];
    const probed = simulate(phases);
    expect(probed.estimateAt(3_000)).toBeGreaterThan(1_500_000);
    expect(probed.estimateAt(9_500)).toBeLessThan(3_300_000);
    expect(probed.est.probes.probesSent).toBeGreaterThanOrEqual(2);
    const plain = simulate(phases, { probing: false });
    expect(plain.estimateAt(9_500)).toBeLessThanOrEqual(1.5 * 300_000 * 1.1 + 10_000);
  });
});

import { medianRamp, rampRoundsTable, type RampResult } from '../../../bench/lib/ramp.js';
import type { ScenarioRow } from '../../../bench/lib/tables.js';

const step = (x: number, cpuUs: number, p99Us: number, cpuPct = 40): ScenarioRow =>
  ({
    name: `2x8@x${x}`,
    cpuUsPerForwarded: cpuUs,
    bridgeCpuPct: cpuPct,
    lossPct: 0,
    bridgeDelayP99Us: p99Us,
    bridgeWaitP99Us: p99Us / 2,
    latencyP99Us: p99Us - 100,
  }) as ScenarioRow;

const ramp = (maxForwardedPps: number, steps: ScenarioRow[]): RampResult => ({
  shape: '2x8',
  steps,
  stoppedBy: 'loss',
  maxForwardedPps,
  maxForwardedPpsPerCore: maxForwardedPps * 2,
});

describe('bench ramp rounds', () => {
  const rounds = [
    ramp(100, [step(8, 5, 1500), step(16, 4, 2000)]),
    ramp(300, [step(8, 7, 1200), step(16, 3, 12000), step(24, 3, 9000)]),
    ramp(200, [step(8, 6, 1700), step(16, 5, 1800)]),
  ];

  it('keeps the steps every round reached, each the round with the median CPU per packet', () => {
    const m = medianRamp(rounds);
    expect(m.steps.map((s) => s.name)).toEqual(['2x8@x8', '2x8@x16']);
    expect(m.steps.map((s) => s.cpuUsPerForwarded)).toEqual([6, 4]);
    // The maximum is the median round's, with its own per-core figure (not mixed from two rounds).
    expect([m.maxForwardedPps, m.maxForwardedPpsPerCore]).toEqual([200, 400]);
    expect(medianRamp([rounds[0]!])).toBe(rounds[0]);
  });

  it('tables the median and range of the p99s per step, and a dash where a server does not measure one', () => {
    const t = rampRoundsTable(rounds).split('\n');
    expect(t).toHaveLength(4);
    expect(t[3]).toBe(
      '| 2x8@x16 | 40 (40-40) | 0.00 (0.00-0.00) | 2.00 (1.80-12.00) | 1.00 (0.90-6.00) | 1.90 (1.70-11.90) |',
    );
    const noDelay = rounds.map((r) => ({ ...r, steps: r.steps.map((s) => ({ ...s, bridgeDelayP99Us: NaN })) }));
    expect(rampRoundsTable(noDelay).split('\n')[2]).toContain('| - |');
  });
});

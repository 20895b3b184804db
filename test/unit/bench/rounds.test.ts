import { medianRows, roundRatios } from '../../../bench/lib/rounds.js';
import type { ScenarioRow } from '../../../bench/lib/tables.js';

const row = (name: string, cpuUsPerForwarded: number): ScenarioRow => ({ name, cpuUsPerForwarded }) as ScenarioRow;

describe('bench scenario rounds', () => {
  it("shows each scenario's median round, by CPU per forwarded packet", () => {
    const rounds = [
      [row('1x4', 40), row('4x4', 9)],
      [row('1x4', 30), row('4x4', 12)],
      [row('1x4', 55), row('4x4', 10)],
    ];
    expect(medianRows(rounds).map((r) => r.cpuUsPerForwarded)).toEqual([40, 10]);
    // An even count takes the lower middle round (a real round, not an average of two).
    expect(medianRows(rounds.slice(0, 2)).map((r) => r.cpuUsPerForwarded)).toEqual([30, 9]);
  });

  it('gives the median and range of the per-round ratios, each round against the same round of the reference', () => {
    const ours = [[row('1x4', 40)], [row('1x4', 30)], [row('1x4', 20)]];
    const ref = [[row('1x4', 40)], [row('1x4', 60)], [row('1x4', 20)]];
    expect(roundRatios(ours, ref)).toBe('1x4 1.00x (0.50-1.00)');
  });
});

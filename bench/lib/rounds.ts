// bench --scenario-rounds N: every scenario runs N times per server, the servers interleaved within each round so
// that drift in what else the machine does falls on all alike. The tables show each server's median round (by CPU
// per forwarded packet); a line per server gives the median and range of its per-round ratios to the reference.
// One round of a low-rate scenario moves by 20-30 % between runs on this machine kind (/proc's 10 ms CPU ticks,
// wakeup costs): a single round is no basis for a ratio.
import type { ScenarioRow } from './tables.js';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per scenario (index into each round), the round with the median CPU per forwarded packet (lower middle). */
export function medianRows(perRound: readonly ScenarioRow[][]): ScenarioRow[] {
  const shapes = perRound[0]?.length ?? 0;
  return Array.from({ length: shapes }, (_, i) => {
    const rows = perRound.map((r) => r[i]!).sort((a, b) => a.cpuUsPerForwarded - b.cpuUsPerForwarded);
    return rows[(rows.length - 1) >> 1]!;
  });
}

/** "1x4 0.61x (0.55-0.70)": per scenario, the median and range of the per-round CPU-per-packet ratios. */
export function roundRatios(server: readonly ScenarioRow[][], reference: readonly ScenarioRow[][]): string {
  const shapes = server[0]?.length ?? 0;
  const parts: string[] = [];
  for (let i = 0; i < shapes; i++) {
    const r = server.map((round, k) => round[i]!.cpuUsPerForwarded / reference[k]![i]!.cpuUsPerForwarded);
    parts.push(
      `${server[0]![i]!.name} ${median(r).toFixed(2)}x (${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)})`,
    );
  }
  return parts.join(', ');
}

// npm run bench's simulcast table (issue #16): the same conference with every endpoint asking one height over the
// bridge channel, each height on a fresh bridge, interleaved so drift in the machine's other work falls on all
// alike; ratios against the first height given (the reference, e.g. 720: the top encoding) in the same run;
// `all` forwards every encoding to everyone, as the bridge did before allocation.
import { loadavg } from 'node:os';
import type { Scenario, StepResult } from './scenario.js';
import type { SimulcastConstraint } from './simulcast.js';

export interface SimulcastRow {
  scenario: string;
  /** ReceiverVideoConstraints defaultConstraints.maxHeight every endpoint sent. */
  maxHeight: SimulcastConstraint;
  /** The median round (by CPU per forwarded packet), and every round. */
  result: StepResult;
  rounds: StepResult[];
  /** The 1-minute load average after each round (others' work on the machine). */
  loadAverages: number[];
}

export interface SimulcastOptions {
  shapes: Array<{ senders: number; receivers: number; name: string }>;
  /** Heights, the reference first. */
  heights: SimulcastConstraint[];
  seconds: number;
  rounds: number;
  start(shape: { senders: number; receivers: number }, maxHeight: SimulcastConstraint): Promise<Scenario>;
  log(line: string): void;
}

/**
 * The median round by CPU per forwarded packet, of the rounds without loss when there are any: on a machine others
 * load, a round whose load processes were starved loses packets, and its per-packet figure then means little.
 */
function medianBy(rs: StepResult[]): StepResult {
  const clean = rs.filter((r) => r.lossPct <= 1);
  const s = [...(clean.length > 0 ? clean : rs)].sort((a, b) => a.cpuUsPerForwarded - b.cpuUsPerForwarded);
  return s[(s.length - 1) >> 1]!;
}

export async function simulcastTable(o: SimulcastOptions): Promise<SimulcastRow[]> {
  const rows: SimulcastRow[] = [];
  for (const shape of o.shapes) {
    const runs = new Map<SimulcastConstraint, StepResult[]>(o.heights.map((h) => [h, []]));
    const loads = new Map<SimulcastConstraint, number[]>(o.heights.map((h) => [h, []]));
    for (let round = 0; round < o.rounds; round++)
      for (const h of o.heights) {
        const s = await o.start(shape, h);
        try {
          await s.step({ seconds: 2, drainMs: 300 }); // warm-up: JIT, and every receiver on its encoding
          const r = await s.step({ seconds: o.seconds });
          runs.get(h)!.push(r);
          loads.get(h)!.push(loadavg()[0]!);
          o.log(
            `simulcast ${shape.name} maxHeight ${h} round ${round + 1}: ${r.forwardedPps.toFixed(0)} pkt/s, ` +
              `${r.cpuUsPerForwarded.toFixed(2)} µs/pkt, CPU ${r.bridgeCpuPct.toFixed(1)}%, loss ${r.lossPct.toFixed(2)}%, ` +
              `waited for CPU ${r.bridgeCpuWaitPct.toFixed(0)}%, load average ${loadavg()[0]!.toFixed(2)}`,
          );
        } finally {
          await s.close();
        }
      }
    for (const h of o.heights)
      rows.push({
        scenario: shape.name,
        maxHeight: h,
        result: medianBy(runs.get(h)!),
        rounds: runs.get(h)!,
        loadAverages: loads.get(h)!,
      });
  }
  return rows;
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : '-');

/** The Markdown table: each row against its scenario's reference height. */
export function simulcastMarkdown(rows: SimulcastRow[], heights: SimulcastConstraint[]): string {
  const out = [
    '| scenario | constraint | offered pkt/s | forwarded pkt/s | loss % | bridge CPU % | CPU µs/fwd pkt | fwd pkt/s vs ref | CPU % vs ref | µs/fwd pkt vs ref |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const ref = rows.find((r) => r.scenario === row.scenario && r.maxHeight === heights[0])!.result;
    const r = row.result;
    out.push(
      `| ${row.scenario} | ${row.maxHeight === 'all' ? 'all layers, no SIM group' : `${row.maxHeight}p`}${row.maxHeight === heights[0] ? ' (ref)' : ''} | ${fmt(r.offeredPps)} | ` +
        `${fmt(r.forwardedPps)} | ${fmt(r.lossPct, 2)} | ${fmt(r.bridgeCpuPct, 1)} | ${fmt(r.cpuUsPerForwarded, 2)} | ` +
        `${ratio(r.forwardedPps, ref.forwardedPps)} | ${ratio(r.bridgeCpuPct, ref.bridgeCpuPct)} | ` +
        `${ratio(r.cpuUsPerForwarded, ref.cpuUsPerForwarded)} |`,
    );
  }
  return out.join('\n');
}

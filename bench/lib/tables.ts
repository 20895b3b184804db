// The Markdown tables npm run bench prints (bench/run.ts).
import type { StepResult } from './scenario.js';

/** One scenario's measured step. */
export interface ScenarioRow extends StepResult {
  name: string;
  senders: number;
  receivers: number;
}

export const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

export const COLUMNS: Array<[string, (r: ScenarioRow) => string]> = [
  ['scenario', (r) => r.name],
  ['offered pkt/s', (r) => fmt(r.offeredPps)],
  ['forwarded pkt/s', (r) => fmt(r.forwardedPps)],
  ['loss %', (r) => fmt(r.lossPct, 2)],
  ['bridge CPU %', (r) => fmt(r.bridgeCpuPct, 1)],
  ['CPU wait %', (r) => fmt(r.bridgeCpuWaitPct, 0)],
  ['CPU µs/fwd pkt', (r) => fmt(r.cpuUsPerForwarded, 2)],
  ['of it kernel µs', (r) => fmt(r.sysUsPerForwarded, 2)],
  ['latency p50 µs', (r) => fmt(r.latencyP50Us)],
  ['latency p99 µs', (r) => fmt(r.latencyP99Us)],
  ['bridge delay p50 µs', (r) => fmt(r.bridgeDelayP50Us)],
  ['bridge delay p99 µs', (r) => fmt(r.bridgeDelayP99Us)],
  ['of it in socket p99 µs', (r) => fmt(r.bridgeWaitP99Us)],
  ['RSS MiB', (r) => fmt(r.rssMiB, 1)],
  ['load CPU %', (r) => fmt(r.loadCpuPct, 0)],
];

export function table(rows: ScenarioRow[]): string {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const sep = `| ${COLUMNS.map(() => '---').join(' | ')} |`;
  return [head, sep, ...rows.map((r) => `| ${COLUMNS.map(([, f]) => f(r)).join(' | ')} |`)].join('\n');
}

export /** a/b to two places, or both values when a ratio means nothing (a zero or a missing figure). */
function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return `${fmt(a, 2)} / ${fmt(b, 2)}`;
  if (b === 0) return a === 0 ? '= (0)' : `${fmt(a, 2)} / 0`;
  return `${(a / b).toFixed(2)}x`;
}

const RATIO_COLUMNS: Array<[string, (r: ScenarioRow) => number]> = [
  ['forwarded pkt/s', (r) => r.forwardedPps],
  ['loss %', (r) => r.lossPct],
  ['CPU %', (r) => r.bridgeCpuPct],
  ['CPU µs/fwd pkt', (r) => r.cpuUsPerForwarded],
  ['latency p50', (r) => r.latencyP50Us],
  ['latency p99', (r) => r.latencyP99Us],
  ['RSS', (r) => r.rssMiB],
];

export function ratioTable(a: ScenarioRow[], b: ScenarioRow[]): string {
  const rows = a.map((r, i) => `| ${r.name} | ${RATIO_COLUMNS.map(([, f]) => ratio(f(r), f(b[i]!))).join(' | ')} |`);
  return [
    `| scenario | ${RATIO_COLUMNS.map(([h]) => h).join(' | ')} |`,
    `| --- | ${RATIO_COLUMNS.map(() => '---').join(' | ')} |`,
    ...rows,
  ].join('\n');
}

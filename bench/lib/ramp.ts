// The bench's ramp (bench/run.ts --ramp): one conference shape on one server, its rate raised step by step until
// the server loses more than 1 % or runs out of a core; and --ramp-rounds N, the ramp N times per server
// (interleaved), summarised per step. One ramp's p99 delay is one sample of a noisy thing here: on this 2-core
// machine kind the load peers share the cores with the server, and a load process held back a few milliseconds
// sends its streams' backlog at once. Identical ramps gave the bridge's p99 at ~50 % of a core anywhere from 1.6
// to 12.6 ms (session 9), so the summary gives each step's median and range over the rounds.
import { loadavg } from 'node:os';
import type { Scenario } from './scenario.js';
import { median } from './rounds.js';
import { fmt, type ScenarioRow } from './tables.js';

export interface RampShape {
  senders: number;
  receivers: number;
  name: string;
}

export interface RampResult {
  shape: string;
  steps: ScenarioRow[];
  stoppedBy: 'loss' | 'cpu' | 'end';
  /** The highest delivered rate with loss <= 1%. */
  maxForwardedPps: number;
  /** That step's rate divided by the share of one core the bridge used: packets/s one full core forwards. */
  maxForwardedPpsPerCore: number;
}

export interface RampOptions {
  scales: readonly number[];
  seconds: number;
  paceMs: number;
  log: (line: string) => void;
}

/** One ramp: a step per scale until the server loses more than 1 % or uses 95 % of a core. */
export async function runRamp(s: Scenario, who: string, shape: RampShape, o: RampOptions): Promise<RampResult> {
  const steps: ScenarioRow[] = [];
  let stoppedBy: RampResult['stoppedBy'] = 'end';
  try {
    await s.step({ seconds: 1, drainMs: 300 });
    for (const rateScale of o.scales) {
      const step = await s.step({ seconds: o.seconds, rateScale, paceMs: o.paceMs });
      const r = { ...shape, name: `${shape.name}@x${rateScale}`, ...step };
      steps.push(r);
      o.log(
        `${who} ramp x${rateScale}: ${r.forwardedPps.toFixed(0)} pkt/s, loss ${r.lossPct.toFixed(2)}%, CPU ${r.bridgeCpuPct.toFixed(0)}%, waited for CPU ${r.bridgeCpuWaitPct.toFixed(0)}%, load average ${loadavg()[0]!.toFixed(2)}`,
      );
      if (r.lossPct > 1) {
        stoppedBy = 'loss';
        break;
      }
      if (r.bridgeCpuPct >= 95) {
        stoppedBy = 'cpu';
        break;
      }
    }
  } finally {
    await s.close();
  }
  const good = steps.filter((r) => r.lossPct <= 1);
  const best = good.reduce<ScenarioRow | undefined>(
    (b, r) => (b === undefined || r.forwardedPps > b.forwardedPps ? r : b),
    undefined,
  );
  return {
    shape: shape.name,
    steps,
    stoppedBy,
    maxForwardedPps: best?.forwardedPps ?? 0,
    maxForwardedPpsPerCore: best === undefined ? 0 : best.forwardedPps / (best.bridgeCpuPct / 100),
  };
}

/** The steps every round reached, by name, in ramp order. */
function commonSteps(rounds: readonly RampResult[]): string[] {
  return rounds[0]!.steps
    .map((r) => r.name)
    .filter((name) => rounds.every((k) => k.steps.some((r) => r.name === name)));
}

const stepOf = (k: RampResult, name: string): ScenarioRow => k.steps.find((r) => r.name === name)!;

/**
 * Several ramps of one server as one: per step every round reached, the round with the median CPU per forwarded
 * packet (lower middle, as the scenario rounds); the maximum and its per-core rate from the round whose maximum is
 * the median one.
 */
export function medianRamp(rounds: readonly RampResult[]): RampResult {
  if (rounds.length === 1) return rounds[0]!;
  const steps = commonSteps(rounds).map((name) => {
    const rows = rounds.map((k) => stepOf(k, name)).sort((a, b) => a.cpuUsPerForwarded - b.cpuUsPerForwarded);
    return rows[(rows.length - 1) >> 1]!;
  });
  const byMax = [...rounds].sort((a, b) => a.maxForwardedPps - b.maxForwardedPps);
  const mid = byMax[(byMax.length - 1) >> 1]!;
  return { ...mid, steps };
}

const ms = (us: number): string => fmt(us / 1000, 2);

/** A Markdown table: per step, the median (range) over the rounds of CPU, the bridge's p99 delay and end to end. */
export function rampRoundsTable(rounds: readonly RampResult[]): string {
  const spread = (xs: number[], f: (v: number) => string): string =>
    xs.some((v) => !Number.isFinite(v)) ? '-' : `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
  const lines = [
    `| step | bridge CPU % | loss % | bridge delay p99 ms | of it in socket p99 ms | end-to-end p99 ms |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const name of commonSteps(rounds)) {
    const rows = rounds.map((k) => stepOf(k, name));
    const col = (f: (r: ScenarioRow) => number, g: (v: number) => string): string => spread(rows.map(f), g);
    lines.push(
      `| ${name} | ${col(
        (r) => r.bridgeCpuPct,
        (v) => fmt(v, 0),
      )} | ${col(
        (r) => r.lossPct,
        (v) => fmt(v, 2),
      )} | ${col((r) => r.bridgeDelayP99Us, ms)} | ${col((r) => r.bridgeWaitP99Us, ms)} | ${col((r) => r.latencyP99Us, ms)} |`,
    );
  }
  return lines.join('\n');
}

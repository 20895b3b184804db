// The native socket's forwarding-delay histogram (8 buckets per octave of µs, transport/packet-socket.ts) as a
// Prometheus histogram in seconds, read at scrape time: the socket counts per packet in C, nothing here runs per
// packet. prom-client's Histogram only takes observations one at a time, so this is a collector of our own that
// hands the registry the finished series (the shape Registry.getMetricsAsString prints).
import type { Registry } from 'prom-client';

/** Upper bounds (seconds) of the exported buckets: 50 µs to 100 ms, where a bridge's own delay lives. */
export const DELAY_BUCKETS_S = [50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 25e-3, 100e-3] as const;

interface Series {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Cumulative counts per `le` (a fine bucket counts under `le` when its upper edge is at or below it), the count,
 * and a sum that takes each fine bucket at its geometric middle (within 4.4 % of any value in it).
 */
export function delaySeries(name: string, hist: ArrayLike<number>): Series[] {
  const out: Series[] = [];
  let total = 0;
  let sumUs = 0;
  for (let k = 0; k < hist.length; k++) {
    total += hist[k]!;
    sumUs += hist[k]! * 2 ** ((k + 0.5) / 8);
  }
  for (const le of DELAY_BUCKETS_S) {
    let n = 0;
    for (let k = 0; k < hist.length && 2 ** ((k + 1) / 8) <= le * 1e6; k++) n += hist[k]!;
    out.push({ metricName: `${name}_bucket`, labels: { le }, value: n });
  }
  out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: total });
  out.push({ metricName: `${name}_sum`, labels: {}, value: sumUs / 1e6 });
  out.push({ metricName: `${name}_count`, labels: {}, value: total });
  return out;
}

/** Registers `name` on `registry`; `read` gives the live histogram, or undefined (dgram socket: no series). */
export function registerDelayHistogram(
  registry: Registry,
  name: string,
  help: string,
  read: () => ArrayLike<number> | undefined,
): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const hist = read();
      return {
        name,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: hist === undefined ? [] : delaySeries(name, hist),
      };
    },
    reset() {},
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

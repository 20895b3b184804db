// The native socket's fine delay histogram as Prometheus buckets: cumulative, in seconds, count and sum.
import { delayQuantileUs, FORWARDING_DELAY_BUCKETS } from '@convene/bridge/transport';
import { delaySeries } from '@convene/bridge/metrics';

/** The fine bucket of `us`, as the addon (udp.c udp_delay_bucket) and the bench put it. */
const bucketOf = (us: number): number => Math.min(FORWARDING_DELAY_BUCKETS - 1, Math.floor(Math.log2(us) * 8));

describe('forwarding delay histogram', () => {
  it('turns fine buckets into cumulative Prometheus buckets with count and sum', () => {
    const hist = new Float64Array(FORWARDING_DELAY_BUCKETS);
    const samplesUs = [30, 30, 80, 400, 900, 1500, 3000, 200_000];
    for (const us of samplesUs) hist[bucketOf(us)]!++;
    const series = delaySeries('d', hist);
    const bucket = (le: number | string) =>
      series.find((s) => s.metricName === 'd_bucket' && s.labels.le === le)?.value;
    expect(bucket(50e-6)).toBe(2);
    expect(bucket(100e-6)).toBe(3);
    expect(bucket(500e-6)).toBe(4);
    expect(bucket(1e-3)).toBe(5);
    expect(bucket(2e-3)).toBe(6);
    expect(bucket(5e-3)).toBe(7);
    expect(bucket(100e-3)).toBe(7);
    expect(bucket('+Inf')).toBe(8);
    expect(series.find((s) => s.metricName === 'd_count')?.value).toBe(8);
    const sum = series.find((s) => s.metricName === 'd_sum')!.value;
    const exact = samplesUs.reduce((a, b) => a + b, 0) / 1e6;
    expect(Math.abs(sum - exact) / exact).toBeLessThan(0.05);
    // Quantiles at the upper edge of the bucket they fall in.
    expect(delayQuantileUs(hist, 0.5)).toBeGreaterThanOrEqual(400);
    expect(delayQuantileUs(hist, 0.5)).toBeLessThan(400 * 1.1);
    expect(delayQuantileUs(new Float64Array(FORWARDING_DELAY_BUCKETS), 0.99)).toBeNaN();
  });
});

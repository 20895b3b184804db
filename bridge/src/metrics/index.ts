export {
  BridgeStats,
  computeRates,
  conferenceSizeHistogram,
  formatTimestamp,
  type Rates,
  type StatsInputs,
  type StatsOptions,
} from './bridge-stats.js';
export { createBridgeMetrics, type MetricsInputs } from './bridge-metrics.js';
export { delaySeries, DELAY_BUCKETS_S } from './delay-histogram.js';

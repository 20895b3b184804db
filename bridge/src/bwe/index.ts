export { BandwidthEstimator, type BandwidthEstimatorOptions, type FeedbackReport } from './bandwidth-estimator.js';
export { SendHistory } from './send-history.js';
export { Trendline, type BandwidthUsage } from './trendline.js';
export { CLUSTER_MS } from './probe-controller.js';

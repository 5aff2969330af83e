// Public surface of the traffic router.
export { isRouterError, RouterError, type RouterErrorCode } from './errors.js';
export { LATENCY_BOUNDS_MS, type LatencyHistogram, quantile } from './histogram.js';
export { diffSnapshots, type RevisionMetrics, type RouterMetricsSnapshot } from './metrics.js';
export { type LabelledSnapshot, renderPrometheus } from './prometheus.js';
export type { RouteInstance, RouteRevision, RouteTable } from './route-table.js';
export { Router, type RouterOptions } from './router.js';

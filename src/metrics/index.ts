/**
 * Metrics: the {@link MetricsSink} the mesh reports to, the no-op default, the Prometheus sink on
 * a caller-owned registry, and the binder that feeds it the mesh's events.
 *
 * @module
 */
export {
  noopMetrics,
  type CacheResult,
  type MeshGauges,
  type MetricsOperation,
  type MetricsOutcome,
  type MetricsSink,
  type ReplicaLabels,
} from './metrics-sink.js';
export {
  BREAKER_STATE_VALUES,
  DEFAULT_LATENCY_BUCKETS,
  METRIC_LABEL_NAMES,
  METRIC_OPERATIONS,
  operationLabel,
  type OperationLabel,
} from './labels.js';
export { PrometheusMetrics, prometheusMetrics } from './prometheus-metrics.js';
export {
  resolvePrometheusMetricsOptions,
  type PrometheusMetricsOptions,
  type PrometheusRegistry,
  type ResolvedPrometheusMetricsOptions,
} from './prometheus-options.js';
export { MESH_EVENT_NAMES, bindMeshEvents, type MeshEventSource } from './bind-mesh-events.js';

/**
 * The fixed words metrics are labelled with, and the functions that map what the mesh reports
 * onto them, so that every label set stays bounded whatever a caller or an event carries.
 *
 * @module
 */
import type { BreakerState } from '../resilience/breaker.js';
import type { MetricsOperation } from './metrics-sink.js';

/** Every operation label value; anything else an event names is reported as `other`. */
export const METRIC_OPERATIONS: readonly MetricsOperation[] = Object.freeze([
  'search',
  'upsert',
  'delete',
  'get',
  'count',
  'describe',
]);

/** An operation label: one of {@link METRIC_OPERATIONS}, or `other`. */
export type OperationLabel = MetricsOperation | 'other';

const OPERATION_SET: ReadonlySet<string> = new Set(METRIC_OPERATIONS);

/**
 * Maps an operation name from an event onto a bounded label value.
 *
 * @param operation - What the event says, e.g. `search`.
 * @returns The operation when it is one of {@link METRIC_OPERATIONS}, else `other`.
 * @example
 * ```ts
 * operationLabel('search'); // 'search'
 * operationLabel('createCollection'); // 'other'
 * ```
 */
export function operationLabel(operation: string): OperationLabel {
  return OPERATION_SET.has(operation) ? (operation as MetricsOperation) : 'other';
}

/**
 * The value `vecmesh_breaker_state` takes for each breaker state: 0 closed, 1 half-open, 2 open
 * (larger is worse, so `max()` over replicas is meaningful).
 */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerState, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  open: 2,
});

/**
 * Latency buckets in seconds for ms-level calls: from 0.5 ms to 10 s, about three per decade.
 *
 * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Every label name vecmesh uses, for tests and dashboards; none of them carries user data. */
export const METRIC_LABEL_NAMES: readonly string[] = Object.freeze([
  'operation',
  'outcome',
  'cluster',
  'shard',
  'replica',
  'backend',
  'from',
  'to',
  'state',
  'result',
  'action',
]);

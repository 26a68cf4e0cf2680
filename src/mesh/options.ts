/**
 * `createMesh` options: what callers pass ({@link MeshOptions}) and the validated, frozen form
 * the mesh runs on ({@link ResolvedMeshOptions}).
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionChoice, optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import { BALANCING_NAMES, type BalancingName } from '../balancing/policy.js';
import {
  resolveBreakerOptions,
  type BreakerOptions,
  type ResolvedBreakerOptions,
} from '../resilience/breaker.js';
import {
  resolveHedgingOptions,
  type HedgingOptions,
  type ResolvedHedgingOptions,
} from '../resilience/hedging.js';
import {
  resolveAttemptTimeoutOptions,
  type AttemptTimeoutOptions,
  type ResolvedAttemptTimeoutOptions,
} from '../resilience/attempt-timeout.js';
import {
  resolveRetryOptions,
  type ResolvedRetryOptions,
  type RetryOptions,
} from '../resilience/retry.js';
import type { ClusterOptions } from '../backends/backend-topology.js';
import type { ShardingOptions } from '../topology/sharding-options.js';
import type { HintStore } from '../replication/hints/hint-store.js';
import type { CacheBreakerOptions } from '../cache/cache-breaker.js';
import type { CacheStore } from '../cache/cache-store.js';
import type { InvalidationRetryOptions } from '../cache/search-cache-options.js';
import type { MetricsSink } from '../metrics/metrics-sink.js';
import { noopMetrics } from '../metrics/metrics-sink.js';
import {
  resolveReplication,
  type ReplicationOptions,
  type ResolvedReplicationOptions,
} from '../replication/replication-options.js';

export type {
  ClusterWriteMode,
  ReadConsistency,
  ReplicationMode,
  ReplicationOptions,
  ResolvedReplicationOptions,
  WriteConsistency,
} from '../replication/replication-options.js';

/** How writes are split into requests. */
export interface BatchOptions {
  /**
   * Most points in one request to one replica (the backend's own limit wins when lower).
   * @default 1000
   */
  maxPoints?: number;
  /**
   * Most bytes (float32 vectors, ids and JSON payloads) in one request.
   * @default 8388608 (8 MiB)
   */
  maxBytes?: number;
  /**
   * Most write requests in flight at once for one operation.
   * @default 4
   */
  concurrency?: number;
}

/** Limits that reject oversized requests before anything is sent. */
export interface LimitOptions {
  /**
   * Largest `topK + offset` of a search.
   * @default 1000
   */
  maxTopK?: number;
  /**
   * Most query vectors in one search call.
   * @default 1000
   */
  maxQueries?: number;
  /**
   * Most points or ids in one upsert, delete or get call.
   * @default 100000
   */
  maxBatchPoints?: number;
}

/** Health probes of replicas that are down (breaker open or a failed probe). */
export interface HealthOptions {
  /**
   * Time between probe rounds, in milliseconds; hints are replayed on the same beat.
   * @default 1000
   */
  intervalMs?: number;
  /**
   * Deadline of one probe.
   * @default 1000
   */
  timeoutMs?: number;
}

/** Hinted handoff settings. */
export interface HintOptions {
  /**
   * Where hints are kept.
   * @default memoryHintStore() (bounded; use fileHintStore to survive a restart)
   */
  store?: HintStore;
  /**
   * Hints replayed per request when a replica is back.
   * @default 100
   */
  replayBatch?: number;
}

/**
 * Everything `createMesh` accepts.
 *
 * @example
 * ```ts
 * const mesh = createMesh({
 *   clusters: [{ name: 'local', shards: [
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *   ] }],
 *   sharding: { strategy: 'jump' },
 * });
 * ```
 */
export interface MeshOptions {
  /** Clusters (regions), each a list of shards with their replicas. */
  clusters: readonly ClusterOptions[];
  /**
   * How ids (or a payload shard key) map to shards.
   * @default { strategy: 'consistent-hash', virtualNodes: 160, key: 'id' }
   */
  sharding?: ShardingOptions;
  /** Replication settings. */
  replication?: ReplicationOptions;
  /** Write batching. */
  batch?: BatchOptions;
  /** Request size limits. */
  limits?: LimitOptions;
  /**
   * Deadline of one operation in milliseconds, unless the call passes its own `timeoutMs`.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * How a read picks among a shard's replicas.
   * @default 'round-robin'
   */
  balancing?: BalancingName;
  /** Retries with backoff and a retry budget. */
  retry?: RetryOptions;
  /** One circuit breaker per replica. */
  breaker?: BreakerOptions;
  /**
   * Hedged reads: when a replica has not answered after the shard's 95th percentile latency,
   * the next replica of the plan is asked too. `false` turns hedging off.
   * @default { percentile: 95, afterMs: 50, minAfterMs: 1 }
   */
  hedging?: HedgingOptions | false;
  /**
   * Per-attempt timeouts: one read from one replica may take at most `multiplier` x its usual
   * read latency, within `[minMs, maxMs]` and the deadline; one write at most `maxMs`. A
   * timed-out attempt counts against the replica's breaker and a read moves to the next
   * replica. `false` turns them off.
   * @default { multiplier: 10, minMs: 250, maxMs: 5000 }
   */
  attemptTimeout?: AttemptTimeoutOptions | false;
  /** Health probes and hint replay. */
  health?: HealthOptions;
  /** Hinted handoff. */
  hints?: HintOptions;
  /**
   * Which cluster serves reads: the highest `priority` that can serve every shard (`priority`),
   * or the one with the lowest measured latency (`nearest`). Either way, reads move to the next
   * cluster when one cannot answer, and come back when it recovers.
   * @default 'priority'
   */
  readPreference?: 'priority' | 'nearest';
  /**
   * Where metrics go (see `prometheusMetrics({ registry })`).
   * @default noopMetrics
   */
  metrics?: MetricsSink;
  /** Search result cache; off unless given. */
  cache?: CacheOptions;
  /**
   * What a search does when a shard cannot answer in any cluster: reject with
   * `ShardUnavailableError` (`fail`), or return the hits of the shards that answered with
   * `coverage.complete = false` (`allow`).
   * @default 'fail'
   */
  partialResults?: 'fail' | 'allow';
}

/**
 * The search result cache. Off unless given: a cache shared by processes needs Redis (a
 * per-process memory cache cannot see other processes' writes, so it can serve results up to
 * `ttlSeconds` old).
 */
export interface CacheOptions {
  /**
   * Where results are kept: a `memoryCacheStore()` or a `redisCacheStore({ url })`.
   * @default memoryCacheStore()
   */
  store?: CacheStore;
  /**
   * Time a cached result may be served, in seconds; bounds how long other processes may serve
   * stale results while an invalidation cannot reach the store (it is retried meanwhile).
   * @default 3600
   */
  ttlSeconds?: number;
  /**
   * Results larger than this (JSON bytes) are not cached.
   * @default 1048576
   */
  maxValueBytes?: number;
  /**
   * The cache's own breaker: after `consecutiveFailures` store errors the store is skipped for
   * `resetTimeoutMs`, then probed again.
   * @default { consecutiveFailures: 3, resetTimeoutMs: 5000 }
   */
  breaker?: CacheBreakerOptions;
  /**
   * Background retry of an invalidation that could not reach the store: the delay doubles from
   * `initialDelayMs` up to `maxDelayMs` until it gets through or the mesh is closed; meanwhile
   * this process skips the store for that collection.
   * @default { initialDelayMs: 100, maxDelayMs: 5000 }
   */
  invalidationRetry?: InvalidationRetryOptions;
}

/** Resolved hint settings. */
export interface ResolvedHintOptions {
  /** The store given, or undefined for the mesh's own memory store. */
  readonly store: HintStore | undefined;
  /** Hints replayed per request. */
  readonly replayBatch: number;
}

/** {@link MeshOptions} after validation, with every default filled in. Frozen. */
export interface ResolvedMeshOptions {
  /** Replication settings. */
  readonly replication: ResolvedReplicationOptions;
  /** Balancing policy. */
  readonly balancing: BalancingName;
  /** Retry settings. */
  readonly retry: ResolvedRetryOptions;
  /** Breaker settings. */
  readonly breaker: ResolvedBreakerOptions;
  /** Hedging, or undefined when off. */
  readonly hedging: ResolvedHedgingOptions | undefined;
  /** Per-attempt timeouts, or undefined when off. */
  readonly attemptTimeout: ResolvedAttemptTimeoutOptions | undefined;
  /** Health probe settings. */
  readonly health: Readonly<Required<HealthOptions>>;
  /** Hint store and replay batch. */
  readonly hints: ResolvedHintOptions;
  /** Read cluster preference. */
  readonly readPreference: 'priority' | 'nearest';
  /** Partial search results policy. */
  readonly partialResults: 'fail' | 'allow';
  /** Metrics sink. */
  readonly metrics: MetricsSink;
  /** Cache options as given (validated by the cache), or undefined when off. */
  readonly cache: CacheOptions | undefined;
  /** Write batching. */
  readonly batch: Readonly<Required<BatchOptions>>;
  /** Request limits. */
  readonly limits: Readonly<Required<LimitOptions>>;
  /** Operation deadline in milliseconds. */
  readonly timeoutMs: number;
}

const TOP_LEVEL_KEYS = [
  'clusters',
  'sharding',
  'replication',
  'batch',
  'limits',
  'timeoutMs',
  'balancing',
  'retry',
  'breaker',
  'hedging',
  'attemptTimeout',
  'health',
  'hints',
  'readPreference',
  'partialResults',
  'metrics',
  'cache',
];

/**
 * Validates every option except the topology (see `resolveTopology`) and fills in defaults.
 *
 * @throws {@link InvalidOptionError} naming the first bad option and what it received.
 */
export function resolveMeshOptions(input: MeshOptions): ResolvedMeshOptions {
  const raw = optionObject(input, 'options');
  rejectUnknownKeys(raw, '', TOP_LEVEL_KEYS);
  const batch = optionObject(raw.batch ?? {}, 'batch');
  rejectUnknownKeys(batch, 'batch', ['maxPoints', 'maxBytes', 'concurrency']);
  const limits = optionObject(raw.limits ?? {}, 'limits');
  rejectUnknownKeys(limits, 'limits', ['maxTopK', 'maxQueries', 'maxBatchPoints']);
  const health = optionObject(raw.health ?? {}, 'health');
  rejectUnknownKeys(health, 'health', ['intervalMs', 'timeoutMs']);
  const hints = optionObject(raw.hints ?? {}, 'hints');
  rejectUnknownKeys(hints, 'hints', ['store', 'replayBatch']);
  return Object.freeze({
    replication: resolveReplication(raw.replication),
    batch: Object.freeze({
      maxPoints: optionInteger(batch.maxPoints, 'batch.maxPoints', 1000, 1),
      maxBytes: optionInteger(batch.maxBytes, 'batch.maxBytes', 8 * 1024 * 1024, 1024),
      concurrency: optionInteger(batch.concurrency, 'batch.concurrency', 4, 1, 256),
    }),
    limits: Object.freeze({
      maxTopK: optionInteger(limits.maxTopK, 'limits.maxTopK', 1000, 1),
      maxQueries: optionInteger(limits.maxQueries, 'limits.maxQueries', 1000, 1),
      maxBatchPoints: optionInteger(limits.maxBatchPoints, 'limits.maxBatchPoints', 100_000, 1),
    }),
    timeoutMs: optionInteger(raw.timeoutMs, 'timeoutMs', 10_000, 1, 2_147_483_647),
    balancing: optionChoice(raw.balancing, 'balancing', 'round-robin', BALANCING_NAMES),
    retry: resolveRetryOptions(raw.retry),
    breaker: resolveBreakerOptions(raw.breaker),
    hedging: resolveHedgingOptions(raw.hedging),
    attemptTimeout: resolveAttemptTimeoutOptions(raw.attemptTimeout),
    health: Object.freeze({
      intervalMs: optionInteger(health.intervalMs, 'health.intervalMs', 1000, 10, 3_600_000),
      timeoutMs: optionInteger(health.timeoutMs, 'health.timeoutMs', 1000, 1, 600_000),
    }),
    hints: Object.freeze({
      store: resolveHintStore(hints.store),
      replayBatch: optionInteger(hints.replayBatch, 'hints.replayBatch', 100, 1, 100_000),
    }),
    readPreference: optionChoice(raw.readPreference, 'readPreference', 'priority', [
      'priority',
      'nearest',
    ] as const),
    partialResults: optionChoice(raw.partialResults, 'partialResults', 'fail', [
      'fail',
      'allow',
    ] as const),
    metrics: resolveMetrics(raw.metrics),
    cache: raw.cache === undefined ? undefined : (optionObject(raw.cache, 'cache') as CacheOptions),
  });
}

function resolveHintStore(value: unknown): HintStore | undefined {
  if (value === undefined) return undefined;
  const store = value as Partial<HintStore>;
  if (
    typeof value !== 'object' ||
    typeof store.append !== 'function' ||
    typeof store.pending !== 'function' ||
    typeof store.ack !== 'function'
  ) {
    throw new InvalidOptionError(
      `\`hints.store\` must implement HintStore (append, pending, ack, ...), received ${describeValue(value)}`,
    );
  }
  return value as HintStore;
}

function resolveMetrics(value: unknown): MetricsSink {
  if (value === undefined) return noopMetrics;
  const sink = value as Partial<MetricsSink>;
  if (
    typeof value !== 'object' ||
    typeof sink.operation !== 'function' ||
    typeof sink.replicaCall !== 'function' ||
    typeof sink.event !== 'function'
  ) {
    throw new InvalidOptionError(
      `\`metrics\` must be a MetricsSink (e.g. prometheusMetrics({ registry })), received ${describeValue(value)}`,
    );
  }
  return value as MetricsSink;
}

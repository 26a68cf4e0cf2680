/**
 * vecmesh: a client-side router that lets an application treat many vector databases as one.
 *
 * @example
 * ```ts
 * import { createMesh, memoryBackend } from 'vecmesh';
 *
 * const mesh = createMesh({
 *   clusters: [{ name: 'local', shards: [
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *     { replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] },
 *   ] }],
 * });
 * await mesh.connect();
 * const docs = await mesh.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await docs.upsert([{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * const { hits } = await docs.search({ vectors: [[1, 0, 0]], topK: 5, filter: { lang: 'en' } });
 * await mesh.close();
 * ```
 *
 * @packageDocumentation
 */
export * from './core/types.js';
export * from './core/errors.js';
export * from './core/filter-ast.js';
export { parseFilter, matchesFilter } from './core/filter.js';
export type {
  VectorBackend,
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
} from './backends/backend.js';
export {
  MemoryBackend,
  memoryBackend,
  type MemoryBackendOptions,
} from './backends/memory/index.js';
export * from './topology/index.js';
// The topology types as the mesh takes and gives them (replicas on `VectorBackend`s); these
// shadow the generic ones of the star export above.
export {
  checkVectorBackend,
  resolveBackendTopology,
  type Cluster,
  type ClusterOptions,
  type Replica,
  type ReplicaOptions,
  type Shard,
  type ShardOptions,
  type Topology,
} from './backends/backend-topology.js';
// The generic forms, a replica's endpoint as a type parameter (what `resolveTopology` returns).
export type {
  Cluster as ClusterOf,
  ClusterOptions as ClusterOptionsOf,
  Replica as ReplicaOf,
  ReplicaOptions as ReplicaOptionsOf,
  Shard as ShardOf,
  ShardOptions as ShardOptionsOf,
  Topology as TopologyOf,
} from './topology/topology.js';
export { Mesh, createMesh } from './mesh/mesh.js';
export {
  Collection,
  type WriteOptions,
  type GetOptions,
  type CountOptions,
  type SearchOptions,
} from './mesh/collection.js';
export {
  MeshEventEmitter,
  type MeshEvents,
  type MeshEventName,
  type MeshListener,
  type RetryEvent,
  type RetryBudgetEvent,
  type HedgeEvent,
  type BreakerEvent,
  type HealthEvent,
  type FailoverEvent,
  type HintEvent,
  type RepairEvent,
  type TopologyChangeEvent,
  type FillProgressEvent,
  type ReshardProgressEvent,
} from './core/events.js';
export type { NextTopology, TopologyUpdateReport } from './reshard/update-topology.js';
export type { ReshardReport } from './reshard/migration.js';
export type {
  ReshardOptions,
  UpdateTopologyOptions,
  AbortReshardOptions,
  RepairOptions,
} from './core/maintenance-options.js';
export type { ReshardCheckpoint, CheckpointPosition } from './reshard/checkpoint.js';
export {
  memoryHintStore,
  fileHintStore,
  MemoryHintStore,
  FileHintStore,
  type HintStore,
  type Hint,
  type HintInput,
  type HintOperation,
  type AppendOutcome,
  type HintStoreLimits,
  type ResolvedHintStoreLimits,
  type MemoryHintStoreOptions,
  type FileHintStoreOptions,
  type HintCorruption,
} from './replication/hints/index.js';
export type { ShardRepairReport, ReplicaRepairReport } from './replication/repair.js';
export { BALANCING_NAMES, type BalancingName } from './balancing/policy.js';
export {
  classify,
  toVecmeshError,
  type Classification,
  type ErrorKind,
} from './resilience/classify.js';
export type { RetryOptions, ResolvedRetryOptions } from './resilience/retry.js';
export type { BreakerOptions, BreakerState, ResolvedBreakerOptions } from './resilience/breaker.js';
export type { HedgingOptions, ResolvedHedgingOptions } from './resilience/hedging.js';
export type {
  AttemptTimeoutOptions,
  ResolvedAttemptTimeoutOptions,
} from './resilience/attempt-timeout.js';
export type { OperationOptions } from './mesh/context.js';
export type {
  MeshOptions,
  ResolvedMeshOptions,
  ResolvedReplicationOptions,
  BatchOptions,
  LimitOptions,
  ReplicationOptions,
  ReplicationMode,
  ClusterWriteMode,
  WriteConsistency,
  ReadConsistency,
  HealthOptions,
  HintOptions,
  ResolvedHintOptions,
} from './mesh/options.js';
export type { SearchRequest } from './mesh/prepare-search.js';
export type { SearchResult, SearchCoverage } from './mesh/search.js';
export type { WriteResult } from './mesh/write.js';
export { mergeTopK } from './mesh/merge.js';
export {
  SearchCache,
  memoryCacheStore,
  redisCacheStore,
  MemoryCacheStore,
  RedisCacheStore,
  type CacheStore,
  type CacheEvent,
  type CacheEventKind,
  type CacheStats,
  type CachedResult,
  type SearchKey,
  type GenerationLookup,
  type MemoryCacheStoreOptions,
  type RedisCacheStoreOptions,
  type RedisCacheClient,
  type SearchCacheOptions,
  type InvalidationRetryOptions,
  type ResolvedInvalidationRetryOptions,
  type CacheBreakerOptions,
  type CacheBreakerState,
  type ResolvedMemoryCacheStoreOptions,
  type ResolvedRedisCacheStoreOptions,
  CacheBreaker,
  type ResolvedCacheBreakerOptions,
} from './cache/index.js';
export {
  noopMetrics,
  prometheusMetrics,
  PrometheusMetrics,
  bindMeshEvents,
  type MeshEventSource,
  type MetricsSink,
  type MetricsOperation,
  type MetricsOutcome,
  type CacheResult,
  type MeshGauges,
  type ReplicaLabels,
  type PrometheusMetricsOptions,
  type PrometheusRegistry,
} from './metrics/index.js';
export {
  MeshTracer,
  type OperationSpan,
  type ShardSpan,
  type ShardTarget,
  type OperationAttributes,
  type TracedOperation,
  type MeshTracerOptions,
  type TracerProviderLike,
} from './tracing/index.js';
export type { CacheOptions } from './mesh/options.js';

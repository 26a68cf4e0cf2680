/**
 * `createMesh` options: what callers pass ({@link MeshOptions}) and the validated, frozen form
 * the mesh runs on ({@link ResolvedMeshOptions}).
 *
 * @module
 */
import { optionChoice, optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import type { ClusterOptions } from '../topology/topology.js';
import type { ShardingOptions } from '../topology/sharding-options.js';

/** How many replicas of a shard must acknowledge a write before it counts as done. */
export type WriteConsistency = 'one' | 'quorum' | 'all';

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

/** Replication settings. */
export interface ReplicationOptions {
  /**
   * Replicas per shard that must acknowledge a write: `one`, a majority (`quorum`), or `all`.
   * Every replica is written either way; this only says when the write counts as done.
   * @default 'quorum'
   */
  writeConsistency?: WriteConsistency;
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
}

/** {@link MeshOptions} after validation, with every default filled in. Frozen. */
export interface ResolvedMeshOptions {
  /** Replication settings. */
  readonly replication: Readonly<Required<ReplicationOptions>>;
  /** Write batching. */
  readonly batch: Readonly<Required<BatchOptions>>;
  /** Request limits. */
  readonly limits: Readonly<Required<LimitOptions>>;
  /** Operation deadline in milliseconds. */
  readonly timeoutMs: number;
}

const TOP_LEVEL_KEYS = ['clusters', 'sharding', 'replication', 'batch', 'limits', 'timeoutMs'];

/**
 * Validates every option except the topology (see `resolveTopology`) and fills in defaults.
 *
 * @throws {@link InvalidOptionError} naming the first bad option and what it received.
 */
export function resolveMeshOptions(input: MeshOptions): ResolvedMeshOptions {
  const raw = optionObject(input, 'options');
  rejectUnknownKeys(raw, '', TOP_LEVEL_KEYS);
  const replication = optionObject(raw.replication ?? {}, 'replication');
  rejectUnknownKeys(replication, 'replication', ['writeConsistency']);
  const batch = optionObject(raw.batch ?? {}, 'batch');
  rejectUnknownKeys(batch, 'batch', ['maxPoints', 'maxBytes', 'concurrency']);
  const limits = optionObject(raw.limits ?? {}, 'limits');
  rejectUnknownKeys(limits, 'limits', ['maxTopK', 'maxQueries', 'maxBatchPoints']);
  return Object.freeze({
    replication: Object.freeze({
      writeConsistency: optionChoice<WriteConsistency>(
        replication.writeConsistency,
        'replication.writeConsistency',
        'quorum',
        ['one', 'quorum', 'all'],
      ),
    }),
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
  });
}

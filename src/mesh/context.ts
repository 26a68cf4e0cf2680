/**
 * What the operation modules (write, read, search) need from the mesh, as a narrow interface
 * so that they do not depend on the `Mesh` class itself.
 *
 * @module
 */
import type { CollectionSpec } from '../core/types.js';
import type { SearchCache } from '../cache/search-cache.js';
import type { MetricsSink } from '../metrics/metrics-sink.js';
import type { RetryPolicy } from '../resilience/retry.js';
import type { MeshTracer } from '../tracing/mesh-tracer.js';
import type { Cluster, Replica, Shard, Topology } from '../backends/backend-topology.js';
import type { MeshEventEmitter } from '../core/events.js';
import type { HintManager } from '../replication/hint-manager.js';
import type { ResolvedMeshOptions } from './options.js';
import type { ReplicaRuntime } from '../replication/replica-runtime.js';
import type { PinnedView } from '../reshard/view.js';

/**
 * Per-call options every collection operation accepts. `undefined` means the defaults; an
 * options object is checked before the call does anything, and `null`, a string, a key the call
 * does not know or a `signal` that is not an `AbortSignal` is refused with `InvalidOptionError`
 * naming it.
 */
export interface OperationOptions {
  /** Aborts the operation; it then rejects with `AbortedError`. */
  signal?: AbortSignal;
  /**
   * Deadline for this call in milliseconds.
   * @default the mesh's `timeoutMs`
   */
  timeoutMs?: number;
}

/** The mesh as the operation modules see it. @internal */
export interface MeshContext {
  /** Validated options. */
  readonly options: ResolvedMeshOptions;
  /** The retry loop (settings and the shared budget). */
  readonly retry: RetryPolicy;
  /** Where resilience events go. */
  readonly events: MeshEventEmitter;
  /** Hinted handoff. */
  readonly hints: HintManager;
  /** Where metrics go. */
  readonly metrics: MetricsSink;
  /** Spans for operations and their shards. */
  readonly tracer: MeshTracer;
  /** The search result cache, when configured. */
  readonly cache: SearchCache | undefined;
  /**
   * The topology this context routes on. An operation pins a view once ({@link MeshContext.pin})
   * and uses the context bound to it, so that it runs entirely on one topology.
   */
  topology(): Topology;
  /** Pins the view in force for one operation (see `ViewTracker`). */
  pin(): PinnedView<MeshContext>;
  /** Replicas being filled in `shard`: they take its writes but serve no reads and count no acks. */
  fillers(shard: Shard): readonly Replica[];
  /** Throws `ClosedError` unless the mesh is connected. */
  assertOpen(): void;
  /** The spec of a collection, described from a backend and cached when not yet known. */
  spec(collection: string, signal: AbortSignal): Promise<CollectionSpec>;
  /** The collection's name on a replica's backend. */
  physicalName(collection: string, replica: Replica): string;
  /** Runtime state of a replica (breaker, latency, in-flight count). */
  runtime(replica: Replica): ReplicaRuntime;
  /** The replicas of a shard in the order a read should try them (available ones only). */
  readPlan(shard: Shard): readonly Replica[];
  /** Clusters in the order reads should try them. */
  readClusters(): readonly Cluster[];
  /** Whether every shard of a cluster has an available replica. */
  canServe(cluster: Cluster): boolean;
  /** Hedge delay for a read of `shard`, or undefined when hedging is off. */
  hedgeDelay(shard: Shard): number | undefined;
  /** Records a successful read's latency for percentile hedging. */
  recordShardLatency(shard: Shard, ms: number): void;
}

/**
 * The mesh: one client over many vector database endpoints.
 *
 * @module
 */
import {
  BackendError,
  ClosedError,
  InvalidArgumentError,
  UnavailableError,
  describeValue,
} from '../core/errors.js';
import { optionInteger } from '../core/options.js';
import { validateCollectionSpec } from '../core/collection-spec.js';
import type { CollectionSpec } from '../core/types.js';
import type { VectorBackend } from '../backends/backend.js';
import { Deadline } from '../resilience/deadline.js';
import {
  physicalCollectionName,
  resolveTopology,
  type Replica,
  type Shard,
  type Topology,
} from '../topology/topology.js';
import { Collection } from './collection.js';
import type { MeshContext, OperationOptions } from './context.js';
import { resolveMeshOptions, type MeshOptions, type ResolvedMeshOptions } from './options.js';
import { tagError } from './replica-call.js';
import { readShard } from './shard-reader.js';
import { checkConsistency, rejectSharedEndpoints } from './topology-checks.js';
import { MeshEventEmitter } from './events.js';
import { HealthMonitor } from './health-monitor.js';
import { HintManager } from './hint-manager.js';
import { memoryHintStore } from './hints/memory-hint-store.js';
import { RuntimeRegistry } from './runtime-registry.js';
import { repairShard, type ShardRepairReport, type RepairOptions } from './repair.js';
import { RetryPolicy } from '../resilience/retry.js';
import { memoryCacheStore } from '../cache/memory-store.js';
import { SearchCache } from '../cache/search-cache.js';
import { bindMeshEvents } from '../metrics/bind-mesh-events.js';
import type { MetricsSink } from '../metrics/metrics-sink.js';
import { MeshTracer } from '../tracing/mesh-tracer.js';

/** Collection names: identifiers, so that every backend accepts them unquoted. */
const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

type State = 'new' | 'open' | 'closed';

/**
 * A client that treats many vector databases as one: it owns the topology, routes every
 * operation to the shards and replicas that own the data, and merges the answers.
 *
 * Constructing it does no I/O; call {@link Mesh.connect} before use and {@link Mesh.close} (or
 * `await using`) when done.
 *
 * @example
 * ```ts
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [
 *   { replicas: [{ backend: memoryBackend() }] },
 *   { replicas: [{ backend: memoryBackend() }] },
 * ] }] });
 * await mesh.connect();
 * const docs = await mesh.createCollection('docs', { dimension: 384, metric: 'cosine' });
 * await mesh.close();
 * ```
 */
export class Mesh implements AsyncDisposable {
  /** Validated options, defaults filled in. */
  readonly options: ResolvedMeshOptions;

  /** Retries, hedges, breaker changes, failovers and hints, as typed events. */
  readonly events = new MeshEventEmitter();

  private state: State = 'new';
  private readonly currentTopology: Topology;
  private readonly specs = new Map<string, Promise<CollectionSpec>>();
  private readonly registry: RuntimeRegistry;
  private readonly hints: HintManager;
  private readonly health: HealthMonitor;
  private readonly cache: SearchCache | undefined;
  private readonly unbindMetrics: () => void;
  private readonly context: MeshContext;

  /**
   * @param options - Topology and behaviour; see {@link MeshOptions}.
   * @throws {@link InvalidOptionError} / {@link InvalidTopologyError} naming the bad option.
   */
  constructor(options: MeshOptions) {
    this.options = resolveMeshOptions(options);
    this.currentTopology = resolveTopology({
      clusters: options.clusters,
      sharding: options.sharding,
    });
    rejectSharedEndpoints(this.currentTopology);
    checkConsistency(this.options.replication.writeConsistency, this.currentTopology);
    this.registry = new RuntimeRegistry(this.currentTopology, this.options, this.events, (r) => {
      this.hints.kick(r.replica.id);
    });
    const runtimes = [...this.registry.all()];
    this.hints = new HintManager(
      this.options.hints.store ?? memoryHintStore(),
      runtimes,
      this.events,
      this.options.hints.replayBatch,
    );
    this.health = new HealthMonitor(runtimes, this.hints, this.events, {
      ...this.options.health,
      probeAll: this.options.readPreference === 'nearest',
    });
    const registry = this.registry;
    this.cache = createSearchCache(this.options, this.options.metrics);
    this.unbindMetrics = bindMeshEvents(this.events, this.options.metrics);
    this.options.metrics.setGauges(() => ({
      pendingHints: this.state === 'closed' ? 0 : this.hints.pendingTotal(),
      replicas: this.currentTopology.replicas.length,
      shards: this.currentTopology.clusters.reduce((n, c) => n + c.shards.length, 0),
      clusters: this.currentTopology.clusters.length,
    }));
    this.context = {
      options: this.options,
      retry: new RetryPolicy(this.options.retry),
      events: this.events,
      hints: this.hints,
      metrics: this.options.metrics,
      tracer: new MeshTracer(),
      cache: this.cache,
      topology: () => this.currentTopology,
      assertOpen: () => {
        this.assertOpen();
      },
      spec: (collection, signal) => this.spec(collection, signal),
      physicalName: physicalCollectionName,
      runtime: (replica) => registry.runtime(replica),
      readPlan: (shard) => registry.readPlan(shard),
      readClusters: () => registry.readOrder(this.currentTopology.clusters),
      canServe: (cluster) => registry.canServe(cluster),
      hedgeDelay: (shard) => registry.hedgeDelay(shard),
      recordShardLatency: (shard, ms) => {
        registry.recordShardLatency(shard, ms);
      },
    };
  }

  /** The topology in force. */
  get topology(): Topology {
    return this.currentTopology;
  }

  /**
   * Connects every backend in parallel. Resolves once every shard of at least one cluster has a
   * connected replica (the others are tried again by their next request).
   *
   * @throws {@link UnavailableError} when no cluster can serve every shard.
   * @throws {@link ClosedError} after `close()`.
   */
  async connect(options: OperationOptions = {}): Promise<void> {
    if (this.state === 'closed') throw new ClosedError('the mesh is closed; create a new one');
    if (this.state === 'open') return;
    await this.withDeadline('connect', options, async (deadline) => {
      const backends = this.backends();
      const outcomes = await Promise.allSettled(
        backends.map((b) => deadline.race(b.connect({ signal: deadline.signal }))),
      );
      const down = new Set<VectorBackend>();
      const reasons: string[] = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'rejected') {
          const backend = backends[i] as VectorBackend;
          down.add(backend);
          reasons.push(`${backend.kind} ${backend.endpoint}: ${messageOf(outcome.reason)}`);
        }
      });
      const servable = this.currentTopology.clusters.some((cluster) =>
        cluster.shards.every((shard) => shard.replicas.some((r) => !down.has(r.backend))),
      );
      if (!servable) {
        throw new UnavailableError(
          `no cluster can serve every shard: ${down.size} of ${backends.length} backends failed to connect (${reasons.join('; ')})`,
        );
      }
      await this.hints.open();
    });
    this.state = 'open';
    this.health.start();
    this.hints.kickAll();
  }

  /**
   * Closes every backend. Idempotent; every later call rejects with {@link ClosedError}.
   *
   * @throws {@link BackendError} listing the backends whose `close()` failed (all are tried).
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.health.stop();
    await this.hints.close().catch(() => undefined);
    await this.cache?.close().catch(() => undefined);
    this.unbindMetrics();
    this.registry.shutdown();
    const backends = this.backends();
    const outcomes = await Promise.allSettled(backends.map((b) => b.close()));
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected'
        ? [`${(backends[i] as VectorBackend).endpoint}: ${messageOf(o.reason)}`]
        : [],
    );
    if (failed.length > 0) throw new BackendError(`close failed for ${failed.join('; ')}`);
  }

  /** Same as {@link Mesh.close}, for `await using mesh = createMesh(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Creates a collection on every replica of every shard. Idempotent for the same spec.
   *
   * @throws {@link InvalidArgumentError} for a bad name or spec.
   * @throws `CollectionConflictError` when it exists with another dimension or metric.
   * @throws {@link BackendError} naming the replicas that failed (the call is safe to repeat).
   */
  async createCollection(
    name: string,
    spec: CollectionSpec,
    options: OperationOptions = {},
  ): Promise<Collection> {
    this.assertOpen();
    validateCollectionName(name);
    const resolved = validateCollectionSpec(spec);
    await this.onEveryReplica('createCollection', name, options, (replica, signal) =>
      replica.backend.createCollection(physicalCollectionName(name, replica), resolved, { signal }),
    );
    this.specs.set(name, Promise.resolve(resolved));
    await this.cache?.invalidate(name);
    return new Collection(this.context, name);
  }

  /**
   * A handle on an existing collection. Does no I/O; the first operation reads its spec.
   *
   * @throws {@link InvalidArgumentError} for a bad name.
   */
  collection(name: string): Collection {
    validateCollectionName(name);
    return new Collection(this.context, name);
  }

  /**
   * Drops a collection from every replica. Resolves `true` when any replica had it.
   *
   * @throws {@link BackendError} naming the replicas that failed (the call is safe to repeat).
   */
  async dropCollection(name: string, options: OperationOptions = {}): Promise<boolean> {
    this.assertOpen();
    validateCollectionName(name);
    this.specs.delete(name);
    const dropped = await this.onEveryReplica('dropCollection', name, options, (replica, signal) =>
      replica.backend.dropCollection(physicalCollectionName(name, replica), { signal }),
    );
    this.specs.delete(name);
    await this.cache?.invalidate(name);
    return dropped.some(Boolean);
  }

  /**
   * Makes the replicas of every shard converge: compares their id sets by id scan and copies
   * what each replica is missing from another. Clears the needs-repair mark of replicas whose
   * hints overflowed. Without tombstones, a delete that a replica missed while its hints were
   * discarded is undone (the point is copied back).
   *
   * @throws the first shard's error (a replica that cannot be scanned fails its shard).
   */
  async repair(collection: string, options: RepairOptions = {}): Promise<ShardRepairReport[]> {
    this.assertOpen();
    validateCollectionName(collection);
    const reports: ShardRepairReport[] = [];
    for (const cluster of this.currentTopology.clusters) {
      for (const shard of cluster.shards) {
        const report = await repairShard(
          shard,
          (replica) => physicalCollectionName(collection, replica),
          options,
        );
        reports.push(report);
        const copied = report.replicas.reduce((sum, r) => sum + r.copied, 0);
        this.events.emit('repair', { cluster: cluster.name, shard: shard.name, copied });
        for (const replica of shard.replicas) {
          if (this.hints.store.needsRepair(replica.id)) {
            await this.hints.store.clearNeedsRepair(replica.id);
          }
        }
      }
    }
    return reports;
  }

  /**
   * Runs one round of health probes now (the same round the health beat runs): replicas that are
   * down are probed and brought back when they answer, hints are replayed, and with
   * `readPreference: 'nearest'` every replica's latency is measured.
   */
  async checkHealth(): Promise<void> {
    this.assertOpen();
    await this.health.probeRound();
  }

  /** Replicas whose hints overflowed and that need {@link Mesh.repair}. */
  replicasNeedingRepair(): string[] {
    return this.currentTopology.replicas
      .map((r) => r.id)
      .filter((id) => this.hints.store.needsRepair(id));
  }

  /** Hints waiting to be replayed, over every replica. */
  pendingHints(): number {
    return this.hints.pendingTotal();
  }

  /**
   * Resolves when the hint replays in flight now have finished (replays also run on the
   * health beat). Useful in tests and before a planned shutdown.
   */
  async flushHints(): Promise<void> {
    this.hints.kickAll();
    await this.hints.settled();
  }

  private assertOpen(): void {
    if (this.state === 'open') return;
    throw new ClosedError(
      this.state === 'new'
        ? 'the mesh is not connected; call `connect()` first'
        : 'the mesh is closed',
    );
  }

  private spec(collection: string, signal: AbortSignal): Promise<CollectionSpec> {
    let spec = this.specs.get(collection);
    if (spec === undefined) {
      spec = this.describe(collection, signal);
      this.specs.set(collection, spec);
      // A failed look-up is not cached: the next operation asks again.
      spec.catch(() => {
        if (this.specs.get(collection) === spec) this.specs.delete(collection);
      });
    }
    return spec;
  }

  private async describe(collection: string, signal: AbortSignal): Promise<CollectionSpec> {
    const shard = this.currentTopology.clusters[0]?.shards[0] as Shard;
    const deadline = new Deadline(this.options.timeoutMs, 'describe', signal);
    try {
      const info = await readShard(this.context, shard, 'describe', deadline, (r, signal) =>
        r.backend.describeCollection(physicalCollectionName(collection, r), { signal }),
      );
      const spec: CollectionSpec = { dimension: info.dimension, metric: info.metric };
      if (info.index) spec.index = info.index;
      return Object.freeze(spec);
    } finally {
      deadline.dispose();
    }
  }

  private backends(): VectorBackend[] {
    return [...new Set(this.currentTopology.replicas.map((r) => r.backend))];
  }

  private async withDeadline<T>(
    operation: string,
    options: OperationOptions,
    body: (deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = optionInteger(
      options.timeoutMs,
      'timeoutMs',
      this.options.timeoutMs,
      1,
      2_147_483_647,
    );
    const deadline = new Deadline(timeoutMs, operation, options.signal);
    try {
      return await body(deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** Runs a collection-level call on every replica; fails, naming each failed replica, if any did. */
  private onEveryReplica<T>(
    operation: string,
    collection: string,
    options: OperationOptions,
    call: (replica: Replica, signal: AbortSignal) => Promise<T>,
  ): Promise<T[]> {
    return this.withDeadline(operation, options, async (deadline) => {
      const replicas = this.currentTopology.replicas;
      const outcomes = await Promise.allSettled(
        replicas.map((r) => deadline.race(call(r, deadline.signal))),
      );
      const errors = outcomes.flatMap((o, i) =>
        o.status === 'rejected'
          ? [
              tagError(o.reason, replicas[i] as Replica, operation, deadline).withMeta({
                collection,
              }),
            ]
          : [],
      );
      if (errors.length > 0) {
        // A wrong request (conflicting spec) is reported as itself; transport trouble as a summary.
        const wrong = errors.find((e) => !e.retryable);
        if (wrong && errors.every((e) => e.code === wrong.code)) throw wrong;
        throw new BackendError(
          `\`${operation}\` \`${collection}\` failed on ${errors.length} of ${replicas.length} replicas: ${errors
            .map((e) => `${e.meta.replica ?? '?'} (${e.code}: ${e.message})`)
            .join('; ')}`,
          {
            cause: new AggregateError(errors),
            retryable: errors.every((e) => e.retryable),
            meta: { operation, collection },
          },
        );
      }
      return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
    });
  }
}

/**
 * Creates a mesh. Validates every option; does no I/O.
 *
 * @throws {@link InvalidOptionError} / {@link InvalidTopologyError} naming the bad option.
 * @example
 * ```ts
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [{ replicas: [{ backend }] }] }] });
 * await mesh.connect();
 * ```
 */
export function createMesh(options: MeshOptions): Mesh {
  return new Mesh(options);
}

function validateCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new InvalidArgumentError(
      `collection name must match ${String(COLLECTION_NAME)}, received ${describeValue(name)}`,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The search cache when configured: its events become metrics. No I/O (stores connect lazily). */
function createSearchCache(
  options: ResolvedMeshOptions,
  metrics: MetricsSink,
): SearchCache | undefined {
  const cache = options.cache;
  if (cache === undefined) return undefined;
  return new SearchCache(
    {
      store: cache.store ?? memoryCacheStore(),
      ...(cache.ttlSeconds === undefined ? {} : { ttlSeconds: cache.ttlSeconds }),
      ...(cache.maxValueBytes === undefined ? {} : { maxValueBytes: cache.maxValueBytes }),
      ...(cache.breaker === undefined ? {} : { breaker: cache.breaker }),
    },
    (event) => {
      metrics.cache(
        event.kind === 'hit' || event.kind === 'miss' || event.kind === 'error'
          ? event.kind
          : 'skip',
      );
    },
  );
}

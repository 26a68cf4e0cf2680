/**
 * Builds the parts a mesh runs on from its validated options and first topology: replica
 * runtimes, hinted handoff, health probes, the result cache, metrics, the views operations pin,
 * the operation context, collection specs and the topology-change machinery. The `Mesh` class
 * keeps the lifecycle and the public API; this module keeps the wiring between the parts.
 *
 * @module
 */
import { memoryCacheStore } from '../cache/memory-store.js';
import { SearchCache } from '../cache/search-cache.js';
import type { MetricsSink } from '../metrics/metrics-sink.js';
import { bindMeshEvents } from '../metrics/bind-mesh-events.js';
import { RetryPolicy } from '../resilience/retry.js';
import { MeshTracer } from '../tracing/mesh-tracer.js';
import { physicalCollectionName } from '../topology/topology.js';
import type { Replica, Shard, Topology } from '../backends/backend-topology.js';
import { CollectionSpecs } from './collection-specs.js';
import type { MeshContext } from './context.js';
import { writeMoved } from './moved-writes.js';
import type { MeshEventEmitter } from '../core/events.js';
import { HealthMonitor } from './health-monitor.js';
import { HintManager } from '../replication/hint-manager.js';
import { memoryHintStore } from '../replication/hints/memory-hint-store.js';
import type { ResolvedMeshOptions } from './options.js';
import { RuntimeRegistry } from '../replication/runtime-registry.js';
import type { TopologyHost } from '../reshard/host.js';
import { TopologyChanges } from '../reshard/topology-changes.js';
import { ViewTracker } from '../reshard/view.js';

/** What the mesh asks of its owner while it runs. */
export interface MeshHooks {
  /** Throws `ClosedError` unless the mesh is connected. */
  assertOpen(): void;
  /** Whether the mesh is closed (gauges then report no pending hints). */
  closed(): boolean;
}

/** The parts of a mesh, wired together. */
export interface MeshParts {
  /** Breakers, latency and balancing state per replica. */
  readonly registry: RuntimeRegistry;
  /** Hinted handoff. */
  readonly hints: HintManager;
  /** Probes of replicas that are down. */
  readonly health: HealthMonitor;
  /** The search result cache, when configured. */
  readonly cache: SearchCache | undefined;
  /** Detaches the metrics sink from the events. */
  readonly unbindMetrics: () => void;
  /** The view in force and the operations in flight on each view. */
  readonly views: ViewTracker<MeshContext>;
  /** The context of operations that are not pinned to a view (it follows the view in force). */
  readonly context: MeshContext;
  /** Collection specs, learned once. */
  readonly specs: CollectionSpecs;
  /** Replica changes and migrations. */
  readonly changes: TopologyChanges;
}

/**
 * Wires the parts of a mesh.
 *
 * @param options - The mesh's validated options.
 * @param topology - The first topology (validated, checked for shared endpoints).
 * @param events - Where every part reports.
 * @param hooks - The mesh's lifecycle, as the parts need it.
 * @returns The parts; nothing is connected or started.
 * @throws Never for valid options (they were validated before).
 * @example
 * ```ts
 * const parts = assembleMesh(resolveMeshOptions(options), topology, new MeshEventEmitter(), hooks);
 * const { view, release } = parts.views.pin();
 * ```
 */
export function assembleMesh(
  options: ResolvedMeshOptions,
  topology: Topology,
  events: MeshEventEmitter,
  hooks: MeshHooks,
): MeshParts {
  // A replica that comes back replays its hints; `hints` exists by the time that can happen.
  const registry = new RuntimeRegistry(topology, options, events, (r) => {
    hints.kick(r.replica.id);
  });
  const hints = new HintManager(
    options.hints.store ?? memoryHintStore(),
    [...registry.all()],
    events,
    options.hints.replayBatch,
    options.attemptTimeout,
  );
  const health = new HealthMonitor(() => registry.all(), hints, events, {
    ...options.health,
    probeAll: options.readPreference === 'nearest',
  });
  const cache = createSearchCache(options, options.metrics);
  const unbindMetrics = bindMeshEvents(events, options.metrics);
  const current = (): Topology => views.current.topology;
  options.metrics.setGauges(() => ({
    pendingHints: hooks.closed() ? 0 : hints.pendingTotal(),
    replicas: current().replicas.length,
    shards: current().clusters.reduce((n, c) => n + c.shards.length, 0),
    clusters: current().clusters.length,
  }));
  const base: Omit<MeshContext, 'topology' | 'readClusters' | 'fillers'> = {
    options,
    retry: new RetryPolicy(options.retry),
    events,
    hints,
    metrics: options.metrics,
    tracer: new MeshTracer(),
    cache,
    assertOpen: () => {
      hooks.assertOpen();
    },
    pin: () => views.pin(),
    spec: (collection, signal) => specs.get(collection, signal),
    physicalName: physicalCollectionName,
    runtime: (replica) => registry.runtime(replica),
    readPlan: (shard) => hints.caughtUpFirst(registry.readPlan(shard)),
    canServe: (cluster) => registry.canServe(cluster),
    hedgeDelay: (shard) => registry.hedgeDelay(shard),
    recordShardLatency: (shard, ms) => {
      registry.recordShardLatency(shard, ms);
    },
  };
  // Each view binds its own context, so that an operation routes on one topology throughout.
  const bind = (t: Topology, fillers: ReadonlyMap<string, readonly Replica[]> = new Map()) => ({
    ...base,
    topology: () => t,
    readClusters: () => registry.readOrder(t.clusters),
    fillers: (shard: Shard) => fillers.get(shard.id) ?? [],
  });
  const views = new ViewTracker({ topology }, bind);
  const context: MeshContext = { ...bind(topology), topology: current };
  const specs = new CollectionSpecs(context, options.timeoutMs);
  const host: TopologyHost = {
    options,
    events,
    views,
    registry,
    hints,
    assertOpen: () => {
      hooks.assertOpen();
    },
    writeMoved: (target, collection, points) =>
      writeMoved(
        bind(target),
        collection,
        points,
        options.replication.writeConsistency,
        options.timeoutMs,
      ),
  };
  const changes = new TopologyChanges(host);
  return { registry, hints, health, cache, unbindMetrics, views, context, specs, changes };
}

/**
 * The search cache when configured: its events become metrics. No I/O (stores connect lazily).
 *
 * @returns The cache, or `undefined` when `options.cache` is not set.
 * @example
 * ```ts
 * const cache = createSearchCache(options, options.metrics);
 * ```
 */
export function createSearchCache(
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
      ...(cache.invalidationRetry === undefined
        ? {}
        : { invalidationRetry: cache.invalidationRetry }),
    },
    (event) => {
      // A retried invalidation is not a search's cache request.
      if (event.kind === 'invalidation-retried') return;
      metrics.cache(
        event.kind === 'hit' || event.kind === 'miss' || event.kind === 'error'
          ? event.kind
          : 'skip',
      );
    },
  );
}

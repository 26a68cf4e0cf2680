/**
 * The `MetricsSink` contract: the few calls the mesh makes on its hot paths to report what it
 * did, and `noopMetrics`, the default sink that does nothing.
 *
 * Label values a sink may derive from these calls come only from the topology (cluster, shard and
 * replica names, backend kinds) and fixed words (operations, outcomes, cache results, breaker
 * states, hint actions). Ids, vectors, filters and collection names never reach a sink: a
 * collection name is user-defined and may be per tenant, so it would make label sets unbounded.
 *
 * @module
 */
import type { MeshEventName, MeshEvents } from '../core/events.js';

/** An operation the mesh measures, one fixed word each. */
export type MetricsOperation = 'search' | 'upsert' | 'delete' | 'get' | 'count' | 'describe';

/** How a measured call ended. */
export type MetricsOutcome = 'ok' | 'error';

/**
 * What the result cache did for one search: `hit` served from the cache, `miss` not in it,
 * `error` the cache failed (the search went on without it), `skip` the search was not cacheable.
 */
export type CacheResult = 'hit' | 'miss' | 'error' | 'skip';

/** The topology facts of one replica that label its metrics. Every field comes from the topology. */
export interface ReplicaLabels {
  /** `${cluster}/${shard}/${name}`, unique in the topology. */
  readonly id: string;
  /** Cluster name. */
  readonly cluster: string;
  /** Shard name. */
  readonly shard: string;
  /** The backend's kind, e.g. `memory`, `reference`, `qdrant`. */
  readonly backendKind: string;
}

/** Sizes read at scrape time. */
export interface MeshGauges {
  /** Hints waiting to be replayed, over every replica. */
  readonly pendingHints: number;
  /** Replicas in the topology. */
  readonly replicas: number;
  /** Shards in the topology, over every cluster. */
  readonly shards: number;
  /** Clusters in the topology. */
  readonly clusters: number;
}

/**
 * What the mesh reports while it works. Every method is synchronous, must not throw, and must be
 * cheap: the mesh calls `operation()` once per operation and `replicaCall()` once per call to a
 * backend.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const metrics = prometheusMetrics({ registry });
 * const mesh = createMesh({ clusters, metrics });
 * ```
 */
export interface MetricsSink {
  /**
   * One operation of the public API finished.
   *
   * @param op - The operation.
   * @param outcome - `ok` or `error`.
   * @param seconds - Its duration, in seconds.
   */
  operation(op: MetricsOperation, outcome: MetricsOutcome, seconds: number): void;
  /**
   * One call to one replica's backend finished.
   *
   * @param replica - The replica, as the topology names it.
   * @param outcome - `ok` or `error`.
   * @param seconds - Its duration, in seconds.
   */
  replicaCall(replica: ReplicaLabels, outcome: MetricsOutcome, seconds: number): void;
  /**
   * The result cache answered (or not) for one search.
   *
   * @param result - What it did.
   */
  cache(result: CacheResult): void;
  /**
   * A mesh event: retries, hedges, failovers, breaker changes, health verdicts, hints, repairs.
   * {@link bindMeshEvents} forwards every event of a mesh here.
   *
   * @param name - The event's name.
   * @param event - Its payload.
   */
  event<E extends MeshEventName>(name: E, event: MeshEvents[E]): void;
  /**
   * Registers the function that reports sizes; a sink reads it when it is scraped, never on a
   * hot path. A later call replaces the earlier provider.
   *
   * @param provider - Returns the current sizes; it must be cheap and must not throw.
   */
  setGauges(provider: () => MeshGauges): void;
}

function nothing(): void {
  // The no-op sink records nothing.
}

/**
 * The default sink: every method does nothing, so a mesh without metrics pays one empty call per
 * report.
 *
 * @example
 * ```ts
 * const mesh = createMesh({ clusters, metrics: noopMetrics });
 * ```
 */
export const noopMetrics: MetricsSink = Object.freeze({
  operation: nothing,
  replicaCall: nothing,
  cache: nothing,
  event: nothing,
  setGauges: nothing,
});

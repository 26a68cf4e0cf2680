/**
 * The mesh's live view of its topology: one {@link ReplicaRuntime} per replica, the balancing
 * state and recent latencies of each shard, and from them the query plan of a shard and the
 * order in which clusters serve reads.
 *
 * @module
 */
import { balancingPolicy, type BalancingName, type BalancingPolicy } from '../balancing/policy.js';
import type { MeshEventEmitter } from '../core/events.js';
import type { MetricsSink } from '../metrics/metrics-sink.js';
import type { ResolvedBreakerOptions } from '../resilience/breaker.js';
import { LatencyWindow, type ResolvedHedgingOptions } from '../resilience/hedging.js';
import type { Cluster, Replica, Shard, Topology } from '../backends/backend-topology.js';
import { ReplicaRuntime } from './replica-runtime.js';
import type { ResolvedAttemptTimeoutOptions } from '../resilience/attempt-timeout.js';
import type { ResolvedReplicationOptions } from './replication-options.js';

/**
 * The resolved settings the registry reads: a narrow view of the mesh's resolved options (which
 * satisfy it as they are), so that replication does not depend on the client.
 */
export interface RuntimeSettings {
  /** The balancing policy that orders a shard's replicas. */
  readonly balancing: BalancingName;
  /** Each replica's breaker settings. */
  readonly breaker: ResolvedBreakerOptions;
  /** Hedging settings, or `undefined` when hedging is off. */
  readonly hedging: ResolvedHedgingOptions | undefined;
  /** Where each replica call's outcome and latency go. */
  readonly metrics: MetricsSink;
  /** Replication mode and read-your-writes decide which replicas a read may use. */
  readonly replication: Pick<ResolvedReplicationOptions, 'mode' | 'readYourWrites'>;
  /** How clusters are ordered for reads. */
  readonly readPreference: 'priority' | 'nearest';
  /** Per-attempt timeouts, or `undefined` when off. */
  readonly attemptTimeout?: ResolvedAttemptTimeoutOptions | undefined;
}

interface ShardState {
  readonly balancing: unknown;
  readonly latency: LatencyWindow | undefined;
}

/**
 * Runtime state for every replica and shard of a topology.
 *
 * @example
 * ```ts
 * const registry = new RuntimeRegistry(topology, options, events, onRecovered);
 * const plan = registry.readPlan(shard); // replicas to try, best first
 * ```
 */
export class RuntimeRegistry {
  // Keyed by replica id and `cluster/shard`: a new topology (new frozen objects) keeps the state
  // of the replicas and shards it keeps.
  private readonly replicas = new Map<string, ReplicaRuntime>();
  private readonly shards = new Map<string, ShardState & { readonly size: number }>();
  private readonly policy: BalancingPolicy;

  /** Per-attempt timeouts of the calls made through these runtimes, or `undefined` when off. */
  get attemptTimeout(): ResolvedAttemptTimeoutOptions | undefined {
    return this.options.attemptTimeout;
  }

  /**
   * @param topology - The topology whose replicas are tracked.
   * @param options - Resolved settings (balancing, breaker, hedging, metrics, replication).
   * @param events - Where breaker changes are reported.
   * @param onRecovered - Called when a replica's breaker closes again.
   * @param random - Randomness for the balancing policy.
   */
  constructor(
    topology: Topology,
    private readonly options: RuntimeSettings,
    private readonly events: MeshEventEmitter,
    private readonly onRecovered: (runtime: ReplicaRuntime) => void,
    private readonly random: () => number = Math.random,
  ) {
    this.policy = balancingPolicy(options.balancing);
    this.adopt(topology);
  }

  /**
   * Tracks the replicas and shards of `topology` that are not tracked yet (a topology change);
   * those already tracked keep their breaker, latency and balancing state. A shard whose
   * replica count changed gets a fresh balancing state.
   *
   * @returns The runtimes created, one per replica that was new.
   */
  adopt(topology: Topology): ReplicaRuntime[] {
    const created: ReplicaRuntime[] = [];
    for (const replica of topology.replicas) {
      if (this.replicas.has(replica.id)) continue;
      const runtime = new ReplicaRuntime(
        replica,
        this.options.breaker,
        this.events,
        this.onRecovered,
        this.options.metrics,
      );
      this.replicas.set(replica.id, runtime);
      created.push(runtime);
    }
    const percentile = this.options.hedging?.percentile;
    for (const cluster of topology.clusters) {
      for (const shard of cluster.shards) {
        const key = shard.id;
        const size = shard.replicas.length;
        const state = this.shards.get(key);
        if (state !== undefined && state.size === size) continue;
        this.shards.set(key, {
          size,
          balancing: this.policy.createState(size),
          latency:
            state?.latency ??
            (percentile === undefined ? undefined : new LatencyWindow(percentile)),
        });
      }
    }
    return created;
  }

  /** Stops tracking replicas (removed from the topology) and stops their breakers' timers. */
  forget(replicaIds: Iterable<string>): void {
    for (const id of replicaIds) {
      this.replicas.get(id)?.breaker.shutdown();
      this.replicas.delete(id);
    }
  }

  /** Stops tracking shards (removed by a reshard). */
  forgetShards(shards: Iterable<Shard>): void {
    for (const shard of shards) this.shards.delete(shard.id);
  }

  /** The runtime of a replica. */
  runtime(replica: Replica): ReplicaRuntime {
    const runtime = this.replicas.get(replica.id);
    if (runtime === undefined) throw new Error(`unknown replica ${replica.id}`);
    return runtime;
  }

  /** Every replica runtime. */
  all(): IterableIterator<ReplicaRuntime> {
    return this.replicas.values();
  }

  /**
   * The replicas a read of `shard` should try, in order, by the balancing policy; replicas
   * behind an open breaker or a failed probe are left out. In `primary` mode the primary is
   * read only with `readYourWrites`, or when no secondary is available.
   */
  readPlan(shard: Shard): Replica[] {
    const { mode, readYourWrites } = this.options.replication;
    if (mode === 'primary' && readYourWrites) {
      return this.runtime(shard.primary).available ? [shard.primary] : [];
    }
    const state = this.shards.get(shard.id);
    const now = performance.now();
    // The weight is the topology's in force (a topology change may re-weight a replica).
    const views = shard.replicas.map((r) => ({ ...this.runtime(r).view(now), weight: r.weight }));
    const order = this.policy.plan(views, state?.balancing, this.random);
    const plan = order.map((i) => shard.replicas[i] as Replica);
    if (mode === 'primary' && plan.length > 1) {
      // Secondaries first; the primary stays as the last fallback.
      const at = plan.indexOf(shard.primary);
      if (at >= 0) plan.push(...plan.splice(at, 1));
    }
    return plan;
  }

  /** Whether every shard of `cluster` has a replica that reads may use now. */
  canServe(cluster: Cluster): boolean {
    return cluster.shards.every((shard) =>
      shard.replicas.some((replica) => this.runtime(replica).available),
    );
  }

  /**
   * Clusters in the order reads should try them: those that can serve every shard first, by
   * priority (or by measured latency with `readPreference: 'nearest'`), then the others in the
   * same order as a last resort.
   */
  readOrder(clusters: readonly Cluster[]): Cluster[] {
    const ordered =
      this.options.readPreference === 'nearest' ? this.byLatency(clusters) : [...clusters];
    const ready = ordered.filter((c) => this.canServe(c));
    return ready.length === ordered.length
      ? ready
      : [...ready, ...ordered.filter((c) => !ready.includes(c))];
  }

  /** Hedge delay for a read of `shard` in milliseconds, or undefined when hedging is off. */
  hedgeDelay(shard: Shard): number | undefined {
    const hedging = this.options.hedging;
    if (hedging === undefined) return undefined;
    const measured = this.shards.get(shard.id)?.latency?.value();
    return Math.max(hedging.minAfterMs, measured ?? hedging.afterMs);
  }

  /** Records the latency of one successful read of `shard` (for percentile hedging). */
  recordShardLatency(shard: Shard, ms: number): void {
    this.shards.get(shard.id)?.latency?.record(ms);
  }

  /** Stops every breaker's timers. */
  shutdown(): void {
    for (const runtime of this.replicas.values()) runtime.breaker.shutdown();
  }

  /** Clusters by the best latency estimate among their replicas; unknown latency sorts last. */
  private byLatency(clusters: readonly Cluster[]): Cluster[] {
    const now = performance.now();
    const cost = (cluster: Cluster): number => {
      let best = Number.POSITIVE_INFINITY;
      for (const shard of cluster.shards) {
        for (const replica of shard.replicas) {
          const ms = this.runtime(replica).latency.value(now);
          if (ms > 0 && ms < best) best = ms;
        }
      }
      return best;
    };
    return clusters
      .map((cluster, index) => ({ cluster, index, cost: cost(cluster) }))
      .sort((a, b) => a.cost - b.cost || a.index - b.index)
      .map((entry) => entry.cluster);
  }
}

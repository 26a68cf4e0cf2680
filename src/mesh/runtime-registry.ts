/**
 * The mesh's live view of its topology: one {@link ReplicaRuntime} per replica, the balancing
 * state and recent latencies of each shard, and from them the query plan of a shard and the
 * order in which clusters serve reads.
 *
 * @module
 */
import { balancingPolicy, type BalancingPolicy } from '../balancing/policy.js';
import { LatencyWindow } from '../resilience/hedging.js';
import type { Cluster, Replica, Shard, Topology } from '../topology/topology.js';
import type { MeshEventEmitter } from './events.js';
import type { ResolvedMeshOptions } from './options.js';
import { ReplicaRuntime } from './replica-runtime.js';

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
  private readonly replicas = new Map<Replica, ReplicaRuntime>();
  private readonly shards = new Map<Shard, ShardState>();
  private readonly policy: BalancingPolicy;

  /**
   * @param topology - The topology whose replicas are tracked.
   * @param options - Resolved mesh options (balancing, breaker, hedging, replication).
   * @param events - Where breaker changes are reported.
   * @param onRecovered - Called when a replica's breaker closes again.
   * @param random - Randomness for the balancing policy.
   */
  constructor(
    topology: Topology,
    private readonly options: ResolvedMeshOptions,
    events: MeshEventEmitter,
    onRecovered: (runtime: ReplicaRuntime) => void,
    private readonly random: () => number = Math.random,
  ) {
    this.policy = balancingPolicy(options.balancing);
    for (const replica of topology.replicas) {
      this.replicas.set(
        replica,
        new ReplicaRuntime(replica, options.breaker, events, onRecovered, options.metrics),
      );
    }
    const percentile = options.hedging?.percentile;
    for (const cluster of topology.clusters) {
      for (const shard of cluster.shards) {
        this.shards.set(shard, {
          balancing: this.policy.createState(shard.replicas.length),
          latency: percentile === undefined ? undefined : new LatencyWindow(percentile),
        });
      }
    }
  }

  /** The runtime of a replica. */
  runtime(replica: Replica): ReplicaRuntime {
    const runtime = this.replicas.get(replica);
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
    const state = this.shards.get(shard);
    const now = performance.now();
    const views = shard.replicas.map((r) => this.runtime(r).view(now));
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
    const measured = this.shards.get(shard)?.latency?.value();
    return Math.max(hedging.minAfterMs, measured ?? hedging.afterMs);
  }

  /** Records the latency of one successful read of `shard` (for percentile hedging). */
  recordShardLatency(shard: Shard, ms: number): void {
    this.shards.get(shard)?.latency?.record(ms);
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

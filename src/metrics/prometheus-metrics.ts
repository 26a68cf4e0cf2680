/**
 * The Prometheus sink: every vecmesh metric on a prom-client `Registry` the caller owns.
 *
 * prom-client is an optional peer, loaded when a sink is created. The metrics are constructed
 * with the prom-client vecmesh resolves (normally the application's own, a peer dependency
 * being shared) and registered on the caller's registry, whichever copy of prom-client that
 * registry comes from: a `Registry` only stores what `registerMetric()` gives it and reads it
 * back through the metric's `get()` / `getForPromString()`, `name`, `help`, `type` and
 * `reset()`, a contract every prom-client 15.x keeps (15.0's registry is the same code as
 * 15.1's), so the metrics appear in that registry's `metrics()`, `getMetricsAsJSON()`,
 * `resetMetrics()` and `Registry.merge()`.
 *
 * @module
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { InvalidOptionError } from '../core/errors.js';
import { loadOptional } from '../core/optional-dependency.js';
import type { MeshEventName, MeshEvents } from '../core/events.js';
import {
  boundSeriesClasses,
  type BoundCounter,
  type BoundHistogram,
  type CounterSeries,
  type HistogramSeries,
} from './bound-series.js';
import { BREAKER_STATE_VALUES, METRIC_OPERATIONS, operationLabel } from './labels.js';
import type {
  CacheResult,
  MeshGauges,
  MetricsOperation,
  MetricsOutcome,
  MetricsSink,
  ReplicaLabels,
} from './metrics-sink.js';
import {
  resolvePrometheusMetricsOptions,
  type PrometheusMetricsOptions,
} from './prometheus-options.js';

type Labelled<L extends string> = Readonly<Record<L, string>>;

/** The bound series of one replica or one operation, so that a call hashes and allocates nothing. */
interface HotSeries {
  readonly ok: CounterSeries;
  readonly error: CounterSeries;
  readonly latency: HistogramSeries;
}

const CACHE_RESULTS: readonly CacheResult[] = ['hit', 'miss', 'error', 'skip'];

/**
 * A {@link MetricsSink} on prom-client. Create it with {@link prometheusMetrics}.
 *
 * Replica labels are the replica's topology id (`cluster/shard/name`) everywhere, so that series
 * of one replica join across metrics.
 */
export class PrometheusMetrics implements MetricsSink {
  private readonly replicaRequests: BoundCounter<
    'cluster' | 'shard' | 'replica' | 'backend' | 'outcome'
  >;
  private readonly replicaSeconds: BoundHistogram<'cluster' | 'shard' | 'replica'>;
  private readonly retries: Counter<'operation'>;
  private readonly retryBudget: Counter<'operation'>;
  private readonly hedges: Counter<'operation'>;
  private readonly failovers: Counter<'operation' | 'from' | 'to'>;
  private readonly breakerState: Gauge<'replica'>;
  private readonly breakerTransitions: Counter<'replica' | 'state'>;
  private readonly replicaUp: Gauge<'replica'>;
  private readonly cacheRequests: Counter<'result'>;
  private readonly hintEvents: Counter<'action'>;
  private readonly repairedPoints: Counter<'cluster' | 'shard'>;
  private gauges: (() => MeshGauges) | undefined;
  private readonly operationSeries = new Map<string, HotSeries>();
  private readonly cacheLabels = new Map<string, Labelled<'result'>>();
  private readonly replicaSeries = new Map<string, HotSeries>();

  /**
   * @param options - Registry, prefix and buckets.
   * @throws {@link InvalidOptionError} for a bad option, or when the registry already holds a
   *   metric of this prefix (one sink per registry and prefix: share the sink between meshes).
   * @throws `MissingDependencyError` when prom-client is not installed.
   */
  constructor(options: PrometheusMetricsOptions) {
    const { registry, prefix: p, buckets } = resolvePrometheusMetricsOptions(options);
    const names = [
      'requests_total',
      'request_duration_seconds',
      'replica_requests_total',
      'replica_request_duration_seconds',
      'retries_total',
      'retry_budget_exhausted_total',
      'hedges_total',
      'failovers_total',
      'breaker_state',
      'breaker_transitions_total',
      'replica_up',
      'cache_requests_total',
      'hints_pending',
      'hint_events_total',
      'repaired_points_total',
      'topology_replicas',
      'topology_shards',
      'topology_clusters',
    ].map((n) => p + n);
    const taken = names.filter((n) => registry.getSingleMetric(n) !== undefined);
    if (taken.length > 0) {
      throw new InvalidOptionError(
        `\`registry\` already holds ${taken.join(', ')}: create one sink per registry and share it between meshes, or pass another \`prefix\``,
      );
    }
    const pc = loadOptional('prom-client', '`prometheusMetrics({ registry })`');
    const { BoundCounter, BoundHistogram } = boundSeriesClasses(pc);
    // prom-client's types want its own Registry; any 15.x registry takes these metrics (above).
    const registers = [registry as unknown as Registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
      new pc.Counter({ name: p + name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> =>
      new pc.Gauge({ name: p + name, help, labelNames, registers });
    const sizeGauge = (name: string, help: string, read: (g: MeshGauges) => number): void => {
      const read_ = (): number | undefined => this.readGauge(read);
      new pc.Gauge({
        name: p + name,
        help,
        registers,
        collect() {
          const value = read_();
          if (value !== undefined) this.set(value);
        },
      });
    };

    const requests = new BoundCounter({
      name: p + 'requests_total',
      help: 'Operations, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    const requestSeconds = new BoundHistogram({
      name: p + 'request_duration_seconds',
      help: 'Operation latency.',
      labelNames: ['operation'],
      buckets,
      registers,
    });
    this.replicaRequests = new BoundCounter({
      name: p + 'replica_requests_total',
      help: 'Calls to replica backends, by replica and outcome.',
      labelNames: ['cluster', 'shard', 'replica', 'backend', 'outcome'],
      registers,
    });
    this.replicaSeconds = new BoundHistogram({
      name: p + 'replica_request_duration_seconds',
      help: 'Latency of calls to replica backends.',
      labelNames: ['cluster', 'shard', 'replica'],
      buckets,
      registers,
    });
    this.retries = counter('retries_total', 'Requests tried again.', ['operation']);
    this.retryBudget = counter(
      'retry_budget_exhausted_total',
      'Retryable failures not retried because the retry budget was spent.',
      ['operation'],
    );
    this.hedges = counter('hedges_total', 'Hedged reads sent to a second replica.', ['operation']);
    this.failovers = counter('failovers_total', 'Reads moved from one cluster to another.', [
      'operation',
      'from',
      'to',
    ]);
    this.breakerState = gauge(
      'breaker_state',
      'Circuit breaker state per replica: 0 closed, 1 half-open, 2 open.',
      ['replica'],
    );
    this.breakerTransitions = counter(
      'breaker_transitions_total',
      'Circuit breaker state changes, by replica and new state.',
      ['replica', 'state'],
    );
    this.replicaUp = gauge('replica_up', 'Last health probe verdict per replica: 1 up, 0 down.', [
      'replica',
    ]);
    this.cacheRequests = counter('cache_requests_total', 'Result cache look-ups, by result.', [
      'result',
    ]);
    this.hintEvents = counter('hint_events_total', 'Hinted handoff events, by action.', ['action']);
    this.repairedPoints = counter('repaired_points_total', 'Points copied by repair().', [
      'cluster',
      'shard',
    ]);
    for (const operation of [...METRIC_OPERATIONS, 'other'] as const) {
      this.operationSeries.set(operation, {
        ok: requests.bind({ operation, outcome: 'ok' }),
        error: requests.bind({ operation, outcome: 'error' }),
        latency: requestSeconds.bind({ operation }),
      });
    }
    for (const result of CACHE_RESULTS) this.cacheLabels.set(result, Object.freeze({ result }));
    sizeGauge('hints_pending', 'Hints waiting to be replayed.', (g) => g.pendingHints);
    sizeGauge('topology_replicas', 'Replicas in the topology.', (g) => g.replicas);
    sizeGauge('topology_shards', 'Shards in the topology, over every cluster.', (g) => g.shards);
    sizeGauge('topology_clusters', 'Clusters in the topology.', (g) => g.clusters);
  }

  /** {@inheritDoc MetricsSink.operation} */
  operation(op: MetricsOperation, outcome: MetricsOutcome, seconds: number): void {
    const series = this.operationSeries.get(op) ?? this.operationSeries.get('other');
    if (series === undefined) return;
    (outcome === 'ok' ? series.ok : series.error).inc();
    series.latency.observe(seconds);
  }

  /** {@inheritDoc MetricsSink.replicaCall} */
  replicaCall(replica: ReplicaLabels, outcome: MetricsOutcome, seconds: number): void {
    let series = this.replicaSeries.get(replica.id);
    if (series === undefined) {
      const labels = { cluster: replica.cluster, shard: replica.shard, replica: replica.id };
      series = {
        ok: this.replicaRequests.bind({ ...labels, backend: replica.backendKind, outcome: 'ok' }),
        error: this.replicaRequests.bind({
          ...labels,
          backend: replica.backendKind,
          outcome: 'error',
        }),
        latency: this.replicaSeconds.bind(labels),
      };
      this.replicaSeries.set(replica.id, series);
    }
    (outcome === 'ok' ? series.ok : series.error).inc();
    series.latency.observe(seconds);
  }

  /** {@inheritDoc MetricsSink.cache} */
  cache(result: CacheResult): void {
    const labels = this.cacheLabels.get(result);
    if (labels !== undefined) this.cacheRequests.inc(labels);
  }

  /** {@inheritDoc MetricsSink.event} */
  event<E extends MeshEventName>(name: E, event: MeshEvents[E]): void {
    // Narrowing a generic payload by its name needs one cast per branch.
    switch (name) {
      case 'retry':
        this.retries.inc({ operation: operationLabel((event as MeshEvents['retry']).operation) });
        return;
      case 'retry-budget-exhausted':
        this.retryBudget.inc({
          operation: operationLabel((event as MeshEvents['retry-budget-exhausted']).operation),
        });
        return;
      case 'hedge':
        this.hedges.inc({ operation: operationLabel((event as MeshEvents['hedge']).operation) });
        return;
      case 'failover': {
        const e = event as MeshEvents['failover'];
        this.failovers.inc({ operation: operationLabel(e.operation), from: e.from, to: e.to });
        return;
      }
      case 'breaker': {
        const e = event as MeshEvents['breaker'];
        this.breakerState.set({ replica: e.replica }, BREAKER_STATE_VALUES[e.state]);
        this.breakerTransitions.inc({ replica: e.replica, state: e.state });
        return;
      }
      case 'health': {
        const e = event as MeshEvents['health'];
        this.replicaUp.set({ replica: e.replica }, e.healthy ? 1 : 0);
        return;
      }
      case 'hint':
        this.hintEvents.inc({ action: (event as MeshEvents['hint']).action });
        return;
      case 'repair': {
        const e = event as MeshEvents['repair'];
        this.repairedPoints.inc({ cluster: e.cluster, shard: e.shard }, e.copied);
        return;
      }
      default:
        // An event this version does not know: nothing to count.
        return;
    }
  }

  /** {@inheritDoc MetricsSink.setGauges} */
  setGauges(provider: () => MeshGauges): void {
    this.gauges = provider;
  }

  /** Reads one size from the provider; a provider that throws leaves the gauge as it was. */
  private readGauge(read: (g: MeshGauges) => number): number | undefined {
    if (this.gauges === undefined) return undefined;
    try {
      const value = read(this.gauges());
      return Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Creates a Prometheus sink on the caller's registry: `vecmesh_requests_total{operation,outcome}`,
 * `vecmesh_request_duration_seconds{operation}`,
 * `vecmesh_replica_requests_total{cluster,shard,replica,backend,outcome}`,
 * `vecmesh_replica_request_duration_seconds{cluster,shard,replica}`,
 * `vecmesh_retries_total{operation}`, `vecmesh_retry_budget_exhausted_total{operation}`,
 * `vecmesh_hedges_total{operation}`, `vecmesh_failovers_total{operation,from,to}`,
 * `vecmesh_breaker_state{replica}` (0 closed, 1 half-open, 2 open),
 * `vecmesh_breaker_transitions_total{replica,state}`, `vecmesh_replica_up{replica}`,
 * `vecmesh_cache_requests_total{result}`, `vecmesh_hints_pending`,
 * `vecmesh_hint_events_total{action}`, `vecmesh_repaired_points_total{cluster,shard}` and
 * `vecmesh_topology_replicas` / `_shards` / `_clusters`.
 *
 * Labels hold topology names and fixed words only, never ids, vectors, filters or collection
 * names. Series of a replica appear with its first call or event.
 *
 * @param options - The registry, and optionally a prefix and latency buckets.
 * prom-client is an optional peer dependency (`npm install prom-client`); the registry may come
 * from any copy of prom-client 15 (it is checked by shape: see `PrometheusRegistry`).
 *
 * @throws {@link InvalidOptionError} when `registry` lacks a method of a prom-client `Registry`
 *   (the message names it), `prefix` or `buckets` is malformed, or the registry already holds
 *   metrics of this prefix (a second sink on one registry would fight the first: share one
 *   sink, or pass another `prefix`).
 * @throws `MissingDependencyError` when prom-client is not installed.
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * const metrics = prometheusMetrics({ registry });
 * bindMeshEvents(mesh.events, metrics);
 * metrics.setGauges(() => ({ pendingHints: mesh.pendingHints(), replicas: 6, shards: 3, clusters: 1 }));
 * const text = await registry.metrics();
 * ```
 */
export function prometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  return new PrometheusMetrics(options);
}

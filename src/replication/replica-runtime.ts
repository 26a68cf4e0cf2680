/**
 * What the mesh knows about each replica while it runs: its breaker, its latency estimate, the
 * requests in flight, and the verdict of the last health probe.
 *
 * @module
 */
import { PeakEwma } from '../balancing/peak-ewma.js';
import type { ReplicaView } from '../balancing/replica-view.js';
import { ReplicaBreaker, type ResolvedBreakerOptions } from '../resilience/breaker.js';
import { classify } from '../resilience/classify.js';
import type { Replica } from '../backends/backend-topology.js';
import type { MetricsSink, ReplicaLabels } from '../metrics/metrics-sink.js';
import type { MeshEventEmitter } from '../core/events.js';

/**
 * Runtime state of one replica. Every call to the replica's backend goes through
 * {@link ReplicaRuntime.call}, which feeds the breaker, the latency estimate and the in-flight
 * count that balancing policies read.
 */
export class ReplicaRuntime {
  /** The replica's circuit breaker. */
  readonly breaker: ReplicaBreaker;
  /** Peak-EWMA latency of successful calls. */
  readonly latency = new PeakEwma();
  /** Requests in flight now. */
  outstanding = 0;
  /** `false` after a failed health probe, until a probe succeeds. */
  healthy = true;

  private readonly labels: ReplicaLabels;

  /**
   * @param replica - The topology's replica.
   * @param breakerOptions - Resolved breaker settings.
   * @param events - Where breaker changes are reported.
   * @param onRecovered - Called when the breaker closes again (to replay hints).
   * @param metrics - Where each call's outcome and latency go.
   */
  constructor(
    readonly replica: Replica,
    breakerOptions: ResolvedBreakerOptions,
    events: MeshEventEmitter,
    onRecovered: (runtime: ReplicaRuntime) => void,
    private readonly metrics: MetricsSink,
  ) {
    this.labels = {
      id: replica.id,
      cluster: replica.cluster,
      shard: replica.shard,
      backendKind: replica.backend.kind,
    };
    this.breaker = new ReplicaBreaker(replica.id, breakerOptions, (state) => {
      events.emit('breaker', { replica: replica.id, state });
      if (state === 'closed') onRecovered(this);
    });
  }

  /** Whether reads may be sent here now: healthy and admitted by the breaker. */
  get available(): boolean {
    return this.healthy && this.breaker.admits;
  }

  /** The replica as balancing policies see it. */
  view(nowMs: number): ReplicaView {
    return {
      weight: this.replica.weight,
      available: this.available,
      outstanding: this.outstanding,
      latencyMs: this.latency.value(nowMs),
    };
  }

  /**
   * Runs one call to the replica through its breaker, counting it in flight and timing it.
   *
   * @throws whatever the call throws; `UnavailableError` when the breaker is open.
   */
  async call<T>(action: () => Promise<T>): Promise<T> {
    this.outstanding++;
    const started = performance.now();
    try {
      const result = await this.breaker.run(action);
      const ended = performance.now();
      this.latency.observe(ended - started, ended);
      this.metrics.replicaCall(this.labels, 'ok', (ended - started) / 1000);
      return result;
    } catch (error) {
      const ended = performance.now();
      // A replica that fails slowly should look slow to latency-aware balancing.
      if (classify(error).replicaFault) this.latency.observe(ended - started, ended);
      this.metrics.replicaCall(this.labels, 'error', (ended - started) / 1000);
      throw error;
    } finally {
      this.outstanding--;
    }
  }
}

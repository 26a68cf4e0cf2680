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
import {
  attemptTimeoutMs,
  type ResolvedAttemptTimeoutOptions,
} from '../resilience/attempt-timeout.js';
import { TimeoutError } from '../core/errors.js';
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
  /**
   * Average latency of successful reads in milliseconds (0 before the first): the base of the
   * per-attempt timeout of reads. Failures do not feed it, so that timeouts do not stretch the
   * next one; writes do not either (their cost grows with the batch).
   */
  usualMs = 0;

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

  /**
   * One attempt on the replica: {@link ReplicaRuntime.call} with its own signal, aborted when
   * `parent` aborts or when the attempt outlives its timeout (see `resilience/attempt-timeout`),
   * whichever comes first. A timed-out attempt rejects with a retryable `TimeoutError` that
   * counts against the breaker, even when the adapter does not honour its signal.
   *
   * @param action - The call, given the attempt's signal.
   * @param parent - The operation's signal (its deadline).
   * @param timeouts - The timeout settings, or `undefined` for none (the deadline alone).
   * @param operation - For the error message.
   * @param kind - `read`: the timeout follows the replica's usual read latency, which this
   *   attempt feeds when it succeeds; `write`: the timeout is `maxMs` (a write's cost grows with
   *   its batch, and a quorum write does not wait for the slowest replica anyway).
   * @throws what `call` throws; `TimeoutError` when the attempt timed out.
   */
  attempt<T>(
    action: (signal: AbortSignal) => Promise<T>,
    parent: AbortSignal,
    timeouts: ResolvedAttemptTimeoutOptions | undefined,
    operation: string,
    kind: 'read' | 'write',
  ): Promise<T> {
    if (timeouts === undefined) return this.call(() => action(parent));
    const timeoutMs = kind === 'read' ? attemptTimeoutMs(timeouts, this.usualMs) : timeouts.maxMs;
    const started = performance.now();
    const controller = new AbortController();
    const onParent = (): void => {
      controller.abort(parent.reason);
    };
    if (parent.aborted) onParent();
    else parent.addEventListener('abort', onParent, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(
          `\`${operation}\` on replica \`${this.replica.id}\` took longer than its attempt timeout (${Math.round(timeoutMs)} ms${kind === 'read' ? `, from its usual read latency of ${this.usualMs.toFixed(1)} ms` : ''})`,
          { meta: { operation, replica: this.replica.id } },
        );
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    return this.call(() => Promise.race([action(controller.signal), expired]))
      .then((result) => {
        if (kind === 'read') {
          const ms = performance.now() - started;
          this.usualMs = this.usualMs === 0 ? ms : this.usualMs * 0.9 + ms * 0.1;
        }
        return result;
      })
      .finally(() => {
        clearTimeout(timer);
        parent.removeEventListener('abort', onParent);
      });
  }
}

/**
 * Health probes on a beat: replicas that are down (breaker open, or a failed probe) are probed
 * until they answer, then brought back (breaker closed) and their hints replayed. With
 * `readPreference: 'nearest'` every replica is probed, so that idle clusters have a latency too.
 *
 * @module
 */
import { messageOf } from '../core/errors.js';
import type { MeshEventEmitter } from '../core/events.js';
import type { HintManager } from '../replication/hint-manager.js';
import type { ReplicaRuntime } from '../replication/replica-runtime.js';

/** Settings of the health monitor. */
export interface HealthMonitorOptions {
  /** Time between rounds. */
  readonly intervalMs: number;
  /** Deadline of one probe. */
  readonly timeoutMs: number;
  /** Probe healthy replicas too (to measure latency). */
  readonly probeAll: boolean;
}

/**
 * Runs probe rounds on a timer that does not keep the process alive. Rounds never overlap.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  /**
   * @param runtimes - Every replica's runtime now (asked each round: topology changes add and
   *   remove replicas).
   * @param hints - Replays hints after each round.
   * @param events - Where probe results are reported.
   * @param options - Beat, probe deadline, and whether to probe healthy replicas.
   */
  constructor(
    private readonly runtimes: () => Iterable<ReplicaRuntime>,
    private readonly hints: HintManager,
    private readonly events: MeshEventEmitter,
    private readonly options: HealthMonitorOptions,
  ) {}

  /** Starts the beat. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.round === undefined) {
        this.round = this.probeRound().finally(() => {
          this.round = undefined;
        });
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the beat and waits for a round in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: probe who needs it, then kick hint replays. Never rejects. */
  async probeRound(): Promise<void> {
    const targets = [...this.runtimes()].filter((r) => this.options.probeAll || !r.available);
    await Promise.all(targets.map((runtime) => this.probe(runtime)));
    this.hints.kickAll();
  }

  private async probe(runtime: ReplicaRuntime): Promise<void> {
    const started = performance.now();
    let ok = false;
    let detail: string | undefined;
    try {
      const status = await runtime.replica.backend.health({
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      ok = status.ok;
      detail = status.detail;
    } catch (error) {
      detail = messageOf(error);
    }
    if (ok) runtime.latency.observe(performance.now() - started, performance.now());
    const wasDown = !runtime.available;
    runtime.healthy = ok;
    if (ok && wasDown) runtime.breaker.close();
    if (ok === wasDown) {
      this.events.emit(
        'health',
        detail === undefined
          ? { replica: runtime.replica.id, healthy: ok }
          : { replica: runtime.replica.id, healthy: ok, detail },
      );
    }
  }
}

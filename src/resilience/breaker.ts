/**
 * One circuit breaker per replica, on opossum. `classify()` is its error filter: only failures
 * that say the replica is unhealthy (unavailable, timeouts, server errors) count toward opening
 * it; a caller's mistake or abort never does.
 *
 * @module
 */
import CircuitBreaker from 'opossum';
import { UnavailableError } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import { classify } from './classify.js';
import type { BreakerState } from '../core/events.js';

/** Circuit breaker settings, one breaker per replica. */
export interface BreakerOptions {
  /**
   * The breaker opens when more than this percentage of the requests in the rolling window
   * failed (and the window holds at least `volumeThreshold` requests).
   * @default 50
   */
  errorThresholdPercentage?: number;
  /**
   * Time an open breaker waits before letting one trial request through (half-open).
   * @default 5000
   */
  resetTimeoutMs?: number;
  /**
   * Requests the window must hold before the breaker may open.
   * @default 5
   */
  volumeThreshold?: number;
  /**
   * Length of the rolling window in milliseconds.
   * @default 10000
   */
  rollingWindowMs?: number;
  /**
   * Consecutive replica failures that open the breaker at once, whatever the window says. A
   * replica that refuses every connection is ejected after this many requests instead of after
   * its error rate over the whole window catches up (which takes longer the busier it was).
   * @default 5
   */
  consecutiveFailures?: number;
}

/** {@link BreakerOptions} with every default filled in. */
export type ResolvedBreakerOptions = Readonly<Required<BreakerOptions>>;

/**
 * Validates breaker options.
 *
 * @throws `InvalidOptionError` naming the bad option.
 */
export function resolveBreakerOptions(input: unknown): ResolvedBreakerOptions {
  const raw = optionObject(input ?? {}, 'breaker');
  rejectUnknownKeys(raw, 'breaker', [
    'errorThresholdPercentage',
    'resetTimeoutMs',
    'volumeThreshold',
    'rollingWindowMs',
    'consecutiveFailures',
  ]);
  return Object.freeze({
    errorThresholdPercentage: optionInteger(
      raw.errorThresholdPercentage,
      'breaker.errorThresholdPercentage',
      50,
      1,
      100,
    ),
    resetTimeoutMs: optionInteger(raw.resetTimeoutMs, 'breaker.resetTimeoutMs', 5000, 1),
    volumeThreshold: optionInteger(raw.volumeThreshold, 'breaker.volumeThreshold', 5, 1),
    rollingWindowMs: optionInteger(raw.rollingWindowMs, 'breaker.rollingWindowMs', 10_000, 100),
    consecutiveFailures: optionInteger(
      raw.consecutiveFailures,
      'breaker.consecutiveFailures',
      5,
      1,
      1_000_000,
    ),
  });
}

// The states live with the event types (core), which the metrics sinks read too.
export type { BreakerState } from '../core/events.js';

type Action = () => Promise<unknown>;

/**
 * The breaker of one replica.
 *
 * @example
 * ```ts
 * const breaker = new ReplicaBreaker('c/s0/r1', resolveBreakerOptions({}), (s) => log(s));
 * const hits = await breaker.run(() => backend.search(name, request, { signal }));
 * ```
 */
export class ReplicaBreaker {
  private readonly breaker: CircuitBreaker<[Action]>;
  private readonly consecutiveLimit: number;
  private consecutive = 0;

  /**
   * @param replicaId - Named in the error of a rejected call.
   * @param options - Resolved options.
   * @param onStateChange - Called on every transition.
   */
  constructor(
    private readonly replicaId: string,
    options: ResolvedBreakerOptions,
    onStateChange: (state: BreakerState) => void,
  ) {
    this.breaker = new CircuitBreaker((action: Action) => action(), {
      // Deadlines are the mesh's business; opossum's own timer per call would only cost.
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      // `true` means "do not count this failure".
      errorFilter: (error: unknown) => !classify(error).replicaFault,
    });
    this.consecutiveLimit = options.consecutiveFailures;
    this.breaker.on('success', () => {
      this.consecutive = 0;
    });
    // Only replica faults reach 'failure' (the error filter turns the rest into 'success').
    this.breaker.on('failure', () => {
      if (++this.consecutive >= this.consecutiveLimit && this.breaker.closed) this.breaker.open();
    });
    this.breaker.on('open', () => {
      this.consecutive = 0;
      onStateChange('open');
    });
    this.breaker.on('halfOpen', () => {
      onStateChange('half-open');
    });
    this.breaker.on('close', () => {
      onStateChange('closed');
    });
  }

  /** The current state. */
  get state(): BreakerState {
    if (this.breaker.closed) return 'closed';
    return this.breaker.halfOpen ? 'half-open' : 'open';
  }

  /** Whether a call would be let through now (closed, or half-open with its trial not taken). */
  get admits(): boolean {
    return this.breaker.closed || this.breaker.pendingClose;
  }

  /**
   * Runs `action` through the breaker.
   *
   * @throws {@link UnavailableError} (retryable on another replica) when the breaker is open;
   * otherwise whatever `action` throws.
   */
  async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(action)) as T;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        throw new UnavailableError(`circuit breaker of replica \`${this.replicaId}\` is open`, {
          cause: error,
          meta: { replica: this.replicaId },
        });
      }
      throw error;
    }
  }

  /** Closes the breaker, e.g. after a health probe saw the replica answer. */
  close(): void {
    if (!this.breaker.closed) this.breaker.close();
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}

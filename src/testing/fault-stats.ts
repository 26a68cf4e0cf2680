/**
 * What a fault-injecting backend has seen and done: calls per method and the faults injected.
 *
 * @module
 */

/** What a `FaultyBackend` has seen and done; a frozen snapshot. */
export interface FaultStats {
  /** Every call made through the wrapper, `close` included. */
  readonly calls: number;
  /** Calls that were given an injected error (counted when decided, at the start of the call). */
  readonly injectedErrors: number;
  /** Calls that were made to hang. */
  readonly hangs: number;
  /** Calls refused (or, for `health`, answered `ok: false`) because of a partition. */
  readonly partitionRejections: number;
  /** Sum of the injected delays, in milliseconds. */
  readonly injectedLatencyMs: number;
  /** Calls per method name. */
  readonly byMethod: Readonly<Record<string, number>>;
}

/**
 * The running counters behind {@link FaultStats}.
 *
 * @example
 * ```ts
 * const counters = new FaultCounters();
 * counters.call('search');
 * counters.injectedErrors++;
 * counters.snapshot(); // { calls: 1, injectedErrors: 1, ..., byMethod: { search: 1 } }
 * ```
 */
export class FaultCounters {
  /** Calls given an injected error. */
  injectedErrors = 0;
  /** Calls made to hang. */
  hangs = 0;
  /** Calls refused by a partition. */
  partitionRejections = 0;
  /** Sum of injected delays, in milliseconds. */
  injectedLatencyMs = 0;

  private calls = 0;
  private readonly byMethod = new Map<string, number>();

  /**
   * Counts one call.
   *
   * @param method - The method called.
   */
  call(method: string): void {
    this.calls++;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.calls = 0;
    this.injectedErrors = 0;
    this.hangs = 0;
    this.partitionRejections = 0;
    this.injectedLatencyMs = 0;
    this.byMethod.clear();
  }

  /** A frozen copy of the counters now. */
  snapshot(): FaultStats {
    return Object.freeze({
      calls: this.calls,
      injectedErrors: this.injectedErrors,
      hangs: this.hangs,
      partitionRejections: this.partitionRejections,
      injectedLatencyMs: this.injectedLatencyMs,
      byMethod: Object.freeze(Object.fromEntries(this.byMethod)),
    });
  }
}

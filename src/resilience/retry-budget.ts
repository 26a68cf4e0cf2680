/**
 * A retry budget: retries may add at most a set percentage to the recent request rate, plus a
 * small floor so that a quiet client can still retry. It keeps a sick cluster from being
 * hammered by every client retrying every request (Finagle's RetryBudget, by sliding window).
 *
 * @module
 */

/** Retry budget settings. */
export interface RetryBudgetOptions {
  /**
   * Retries allowed as a percentage of the requests in the window.
   * @default 20
   */
  percent: number;
  /**
   * Retries allowed per second of window regardless of traffic.
   * @default 5
   */
  minPerSecond: number;
  /**
   * Length of the sliding window, in milliseconds.
   * @default 10000
   */
  windowMs: number;
}

const BUCKETS = 10;

/**
 * Counts requests and retries over a sliding window of 10 buckets and answers whether one more
 * retry fits. Time is passed in, so the budget is deterministic under fake clocks.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ percent: 20, minPerSecond: 5, windowMs: 10_000 });
 * budget.recordRequest(performance.now());
 * if (budget.tryRetry(performance.now())) { ... }
 * ```
 */
export class RetryBudget {
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private current = 0;
  private currentStart = Number.NEGATIVE_INFINITY;

  /** @param options - Percent, floor and window. */
  constructor(private readonly options: Readonly<RetryBudgetOptions>) {
    this.bucketMs = options.windowMs / BUCKETS;
  }

  /** Counts one request (a first attempt). */
  recordRequest(nowMs: number): void {
    this.advance(nowMs);
    this.requests[this.current] = (this.requests[this.current] ?? 0) + 1;
  }

  /** Takes one retry from the budget; `false` when the budget is spent. */
  tryRetry(nowMs: number): boolean {
    this.advance(nowMs);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < BUCKETS; i++) {
      requests += this.requests[i] ?? 0;
      retries += this.retries[i] ?? 0;
    }
    const allowed =
      (this.options.minPerSecond * this.options.windowMs) / 1000 +
      (requests * this.options.percent) / 100;
    if (retries + 1 > allowed) return false;
    this.retries[this.current] = (this.retries[this.current] ?? 0) + 1;
    return true;
  }

  /** Moves the window forward, clearing buckets that fell out of it. */
  private advance(nowMs: number): void {
    if (nowMs < this.currentStart + this.bucketMs) return;
    const steps =
      this.currentStart === Number.NEGATIVE_INFINITY
        ? BUCKETS
        : Math.floor((nowMs - this.currentStart) / this.bucketMs);
    for (let i = 0; i < Math.min(steps, BUCKETS); i++) {
      this.current = (this.current + 1) % BUCKETS;
      this.requests[this.current] = 0;
      this.retries[this.current] = 0;
    }
    this.currentStart =
      this.currentStart === Number.NEGATIVE_INFINITY
        ? nowMs
        : this.currentStart + steps * this.bucketMs;
  }
}

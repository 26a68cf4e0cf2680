/**
 * Retries with full jitter, inside the operation's deadline and a retry budget.
 *
 * The first attempt runs directly (p-retry costs ~14 us even when nothing fails, architecture §5);
 * only after a retryable failure does the loop enter p-retry for the remaining attempts.
 *
 * @module
 */
import pRetry from 'p-retry';
import { VecmeshError } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import { classify } from './classify.js';
import type { Deadline } from './deadline.js';
import { RetryBudget } from './retry-budget.js';

/** Retry settings. */
export interface RetryOptions {
  /**
   * Extra attempts after the first, per request (a read's attempts walk its replicas).
   * @default 2
   */
  retries?: number;
  /**
   * Base of the exponential backoff, in milliseconds: the k-th delayed retry waits a random time
   * in `[0, min(maxDelayMs, minDelayMs * 2^k))` (full jitter).
   * @default 10
   */
  minDelayMs?: number;
  /**
   * Cap of one backoff delay, in milliseconds.
   * @default 1000
   */
  maxDelayMs?: number;
  /**
   * Retries allowed as a percentage of recent requests (10 s window), per mesh.
   * @default 20
   */
  budgetPercent?: number;
  /**
   * Retries allowed per second whatever the traffic, so that a quiet client can still retry.
   * @default 5
   */
  minRetriesPerSecond?: number;
}

/** {@link RetryOptions} with every default filled in. */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/**
 * Validates retry options.
 *
 * @throws `InvalidOptionError` naming the bad option, e.g. a negative `retry.budgetPercent`.
 */
export function resolveRetryOptions(input: unknown): ResolvedRetryOptions {
  const raw = optionObject(input ?? {}, 'retry');
  rejectUnknownKeys(raw, 'retry', [
    'retries',
    'minDelayMs',
    'maxDelayMs',
    'budgetPercent',
    'minRetriesPerSecond',
  ]);
  const minDelayMs = optionInteger(raw.minDelayMs, 'retry.minDelayMs', 10, 0, 60_000);
  return Object.freeze({
    retries: optionInteger(raw.retries, 'retry.retries', 2, 0, 10),
    minDelayMs,
    maxDelayMs: optionInteger(raw.maxDelayMs, 'retry.maxDelayMs', 1000, minDelayMs, 60_000),
    budgetPercent: optionInteger(raw.budgetPercent, 'retry.budgetPercent', 20, 0, 1000),
    minRetriesPerSecond: optionInteger(raw.minRetriesPerSecond, 'retry.minRetriesPerSecond', 5, 0),
  });
}

/** What a retry loop reports before each retry. */
export interface RetryInfo {
  /** The attempt about to start, 2-based. */
  readonly attempt: number;
  /** The error that failed the previous attempt. */
  readonly error: VecmeshError;
  /** The backoff before this attempt, in milliseconds (0 when moving to another replica). */
  readonly delayMs: number;
}

/** How one call of {@link RetryPolicy.run} behaves. */
export interface RunOptions {
  /** The operation's deadline; no attempt starts and no backoff sleeps past it. */
  readonly deadline: Deadline;
  /** Whether attempt `n` needs a backoff first; `false` when it goes to a replica not yet tried. */
  readonly backoffBefore?: (attempt: number) => boolean;
  /** Called before every retry. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Called when a retryable failure is not retried because the budget is spent. */
  readonly onBudgetExhausted?: () => void;
}

/**
 * The retry loop of one mesh: settings, the shared budget, and the randomness of the jitter.
 *
 * @example
 * ```ts
 * const policy = new RetryPolicy(resolveRetryOptions({ retries: 3 }));
 * const hits = await policy.run((n) => askReplica(plan[(n - 1) % plan.length]), { deadline });
 * ```
 */
export class RetryPolicy {
  private readonly budget: RetryBudget;

  /**
   * @param options - Resolved retry options.
   * @param random - Jitter source in [0, 1).
   * @param now - Clock in milliseconds.
   */
  constructor(
    readonly options: ResolvedRetryOptions,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.budget = new RetryBudget({
      percent: options.budgetPercent,
      minPerSecond: options.minRetriesPerSecond,
      windowMs: 10_000,
    });
  }

  /**
   * Runs `attempt(1)`; after a retryable failure, runs `attempt(2..)` while retries, the budget
   * and the deadline allow.
   *
   * @throws the last attempt's error (as a `VecmeshError` when the attempt threw one), or the
   * deadline's `TimeoutError` / `AbortedError`.
   */
  async run<T>(attempt: (n: number) => Promise<T>, options: RunOptions): Promise<T> {
    this.budget.recordRequest(this.now());
    try {
      return await attempt(1);
    } catch (error) {
      if (this.options.retries === 0 || !this.mayRetry(error, options)) throw error;
      return this.retryLoop(attempt, options, error);
    }
  }

  private async retryLoop<T>(
    attempt: (n: number) => Promise<T>,
    options: RunOptions,
    first: unknown,
  ): Promise<T> {
    let backoffs = 0;
    const before = async (n: number, error: unknown): Promise<void> => {
      const delayMs = options.backoffBefore?.(n) === false ? 0 : this.jitter(backoffs++, options);
      options.onRetry?.({ attempt: n, error: asVecmesh(error), delayMs });
      if (delayMs > 0) await sleep(delayMs, options.deadline.signal);
    };
    await before(2, first);
    return pRetry((n) => attempt(n + 1), {
      retries: this.options.retries - 1,
      // Delays are ours (full jitter, see `before`); p-retry's own backoff is switched off.
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      signal: options.deadline.signal,
      maxRetryTime: options.deadline.remainingMs(),
      shouldRetry: async ({ error, attemptNumber }) => {
        if (!this.mayRetry(error, options)) return false;
        await before(attemptNumber + 2, error);
        return true;
      },
    });
  }

  private mayRetry(error: unknown, options: RunOptions): boolean {
    if (options.deadline.signal.aborted || !classify(error).retryable) return false;
    if (this.budget.tryRetry(this.now())) return true;
    options.onBudgetExhausted?.();
    return false;
  }

  /** Full jitter: uniform in [0, min(max, base * 2^k)), and never past the deadline. */
  private jitter(k: number, options: RunOptions): number {
    const ceiling = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** k);
    return Math.min(Math.floor(this.random() * ceiling), options.deadline.remainingMs());
  }
}

function asVecmesh(error: unknown): VecmeshError {
  return error instanceof VecmeshError ? error : new VecmeshError(String(error), { cause: error });
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

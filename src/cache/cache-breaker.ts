/**
 * The cache's own circuit breaker: a small consecutive-failure breaker with no timers.
 *
 * The mesh's replica breakers (opossum, `src/resilience/breaker.ts`) judge a replica by its
 * error rate over a rolling window; the cache needs less. Any store failure counts, and
 * `consecutiveFailures` of them in a row open the breaker: the cache then skips the store
 * entirely (every search goes straight to the backends) until `resetTimeoutMs` has passed.
 * The next lookup is then let through as a probe (half-open): success closes the breaker,
 * failure opens it again for another `resetTimeoutMs`. Time is read lazily on each call, so an
 * idle cache holds no timer and `close()` has nothing to stop.
 *
 * @module
 */
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';

/** Settings of the cache's breaker. */
export interface CacheBreakerOptions {
  /**
   * Store failures in a row that open the breaker.
   * @default 3
   */
  consecutiveFailures?: number;
  /**
   * How long an open breaker skips the store before it lets one probe through.
   * @default 5000
   */
  resetTimeoutMs?: number;
}

/** {@link CacheBreakerOptions} with every default filled in. */
export type ResolvedCacheBreakerOptions = Readonly<Required<CacheBreakerOptions>>;

/**
 * Validates {@link CacheBreakerOptions}.
 *
 * @param input - What the caller passed.
 * @param name - The option's path in error messages.
 * @throws `InvalidOptionError` naming the bad option.
 */
export function resolveCacheBreakerOptions(
  input: unknown,
  name = 'cache.breaker',
): ResolvedCacheBreakerOptions {
  const raw = optionObject(input ?? {}, name);
  rejectUnknownKeys(raw, name, ['consecutiveFailures', 'resetTimeoutMs']);
  return Object.freeze({
    consecutiveFailures: optionInteger(
      raw.consecutiveFailures,
      `${name}.consecutiveFailures`,
      3,
      1,
      1_000_000,
    ),
    resetTimeoutMs: optionInteger(raw.resetTimeoutMs, `${name}.resetTimeoutMs`, 5000, 1),
  });
}

/** The states of a {@link CacheBreaker}. */
export type CacheBreakerState = 'closed' | 'open' | 'half-open';

/**
 * A consecutive-failure circuit breaker.
 *
 * @example
 * ```ts
 * const breaker = new CacheBreaker(resolveCacheBreakerOptions({}));
 * if (breaker.tryAcquire()) {
 *   try { await store.get(k); breaker.success(); } catch { breaker.failure(); }
 * }
 * ```
 */
export class CacheBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CacheBreakerState = 'closed';
  private probing = false;

  /**
   * @param options - Resolved options.
   * @param onStateChange - Called on every transition.
   * @param now - Clock in milliseconds (tests pass a fake).
   */
  constructor(
    private readonly options: ResolvedCacheBreakerOptions,
    private readonly onStateChange: (state: CacheBreakerState) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The current state (an open breaker whose timeout passed reads as `half-open`). */
  get state(): CacheBreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs) {
      return 'half-open';
    }
    return this.current;
  }

  /**
   * Asks to use the store. Closed: yes. Open: no, until the reset timeout passed; then yes for
   * exactly one probe at a time (half-open) until it reports back.
   *
   * @returns Whether the caller may use the store; when `true` it must report
   * {@link CacheBreaker.success} or {@link CacheBreaker.failure}.
   */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true;
    if (this.probing) return false;
    if (this.state !== 'half-open') return false;
    if (this.current !== 'half-open') this.transition('half-open');
    this.probing = true;
    return true;
  }

  /** Reports a store call that succeeded (a late success while open is ignored: only the probe closes it). */
  success(): void {
    this.failures = 0;
    if (this.current === 'open') return;
    this.probing = false;
    if (this.current === 'half-open') this.transition('closed');
  }

  /** Reports a store call that failed. */
  failure(): void {
    this.probing = false;
    if (this.current === 'half-open') {
      this.open();
      return;
    }
    if (this.current === 'closed' && ++this.failures >= this.options.consecutiveFailures) {
      this.open();
    }
  }

  private open(): void {
    this.failures = 0;
    this.openedAt = this.now();
    this.transition('open');
  }

  private transition(state: CacheBreakerState): void {
    this.current = state;
    this.onStateChange(state);
  }
}

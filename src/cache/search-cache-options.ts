/**
 * Options of {@link SearchCache} and their validation.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import {
  resolveCacheBreakerOptions,
  type CacheBreakerOptions,
  type ResolvedCacheBreakerOptions,
} from './cache-breaker.js';
import type { CacheStore } from './cache-store.js';

/** Options of {@link SearchCache}. */
export interface SearchCacheOptions {
  /**
   * Where results live: `memoryCacheStore()` (this process) or `redisCacheStore()` (shared by
   * every process on the same Redis). The cache closes it in `close()`.
   */
  store: CacheStore;
  /**
   * How long a result stays cached. Also bounds how long another process may serve a stale
   * result after a write whose invalidation could not reach the store (Redis down): the
   * invalidation is retried in the background, and this is the longest it can take to matter.
   * @default 3600
   */
  ttlSeconds?: number;
  /**
   * Results whose JSON is larger than this are not cached (each one is counted as
   * `skip-too-large`).
   * @default 1048576 (1 MiB)
   */
  maxValueBytes?: number;
  /**
   * The cache's own breaker: after `consecutiveFailures` store errors in a row the cache skips
   * the store (fail-open) for `resetTimeoutMs`, then probes it with one lookup.
   * @default `{ consecutiveFailures: 3, resetTimeoutMs: 5000 }`
   */
  breaker?: CacheBreakerOptions;
  /**
   * How a failed invalidation is retried in the background (see {@link InvalidationRetryOptions}).
   * @default `{ initialDelayMs: 100, maxDelayMs: 5000 }`
   */
  invalidationRetry?: InvalidationRetryOptions;
}

/**
 * The background retry of an invalidation that could not reach the store (store down, or the
 * cache's breaker open). Until it gets through, this process skips the store for that collection,
 * and other processes may still serve results cached before the write; so the cache retries it
 * on its own, with a delay that doubles after every failed attempt up to `maxDelayMs`, until it
 * succeeds or the cache is closed.
 */
export interface InvalidationRetryOptions {
  /**
   * Delay before the first retry, in milliseconds.
   * @default 100
   */
  initialDelayMs?: number;
  /**
   * Longest delay between two retries, in milliseconds; at least `initialDelayMs`.
   * @default 5000 (or `initialDelayMs` when that is larger)
   */
  maxDelayMs?: number;
}

/** {@link InvalidationRetryOptions} with every default filled in. */
export type ResolvedInvalidationRetryOptions = Readonly<Required<InvalidationRetryOptions>>;

/** {@link SearchCacheOptions} with every default filled in. */
export interface ResolvedSearchCacheOptions {
  /** The store. */
  readonly store: CacheStore;
  /** TTL in seconds. */
  readonly ttlSeconds: number;
  /** Largest cached value in bytes. */
  readonly maxValueBytes: number;
  /** Breaker settings. */
  readonly breaker: ResolvedCacheBreakerOptions;
  /** Background retry of failed invalidations. */
  readonly invalidationRetry: ResolvedInvalidationRetryOptions;
}

const STORE_METHODS = ['get', 'set', 'generation', 'bumpGeneration', 'close'] as const;

/**
 * Validates {@link SearchCacheOptions}.
 *
 * @param input - What the caller passed.
 * @param name - The option's path in error messages.
 * @throws {@link InvalidOptionError} naming the bad option and what it received.
 * @example
 * ```ts
 * resolveSearchCacheOptions({ store: memoryCacheStore(), ttlSeconds: 0 });
 * // throws InvalidOptionError: `cache.ttlSeconds` must be an integer in [1, ...], received number 0
 * ```
 */
export function resolveSearchCacheOptions(
  input: unknown,
  name = 'cache',
): ResolvedSearchCacheOptions {
  const raw = optionObject(input, name);
  rejectUnknownKeys(raw, name, [
    'store',
    'ttlSeconds',
    'maxValueBytes',
    'breaker',
    'invalidationRetry',
  ]);
  const store = raw.store;
  if (typeof store !== 'object' || store === null) {
    throw new InvalidOptionError(
      `\`${name}.store\` must be a CacheStore (e.g. memoryCacheStore()), received ${describeValue(store)}`,
    );
  }
  for (const method of STORE_METHODS) {
    if (typeof (store as Record<string, unknown>)[method] !== 'function') {
      throw new InvalidOptionError(
        `\`${name}.store\` must be a CacheStore: it has no \`${method}\` method`,
      );
    }
  }
  return Object.freeze({
    store: store as CacheStore,
    ttlSeconds: optionInteger(raw.ttlSeconds, `${name}.ttlSeconds`, 3600, 1, 365 * 86_400),
    maxValueBytes: optionInteger(
      raw.maxValueBytes,
      `${name}.maxValueBytes`,
      1024 * 1024,
      1,
      512 * 1024 * 1024,
    ),
    breaker: resolveCacheBreakerOptions(raw.breaker, `${name}.breaker`),
    invalidationRetry: resolveInvalidationRetryOptions(
      raw.invalidationRetry,
      `${name}.invalidationRetry`,
    ),
  });
}

/**
 * Validates {@link InvalidationRetryOptions}.
 *
 * @param input - What the caller passed (`undefined` for every default).
 * @param name - The option's path in error messages.
 * @throws {@link InvalidOptionError} naming the bad option, also when `maxDelayMs` is below
 *   `initialDelayMs`.
 * @example
 * ```ts
 * resolveInvalidationRetryOptions({ initialDelayMs: 50 });
 * // { initialDelayMs: 50, maxDelayMs: 5000 }
 * ```
 */
export function resolveInvalidationRetryOptions(
  input: unknown,
  name = 'cache.invalidationRetry',
): ResolvedInvalidationRetryOptions {
  const raw = optionObject(input ?? {}, name);
  rejectUnknownKeys(raw, name, ['initialDelayMs', 'maxDelayMs']);
  const initialDelayMs = optionInteger(
    raw.initialDelayMs,
    `${name}.initialDelayMs`,
    100,
    1,
    3_600_000,
  );
  const maxDelayMs = optionInteger(
    raw.maxDelayMs,
    `${name}.maxDelayMs`,
    Math.max(5000, initialDelayMs),
    1,
    3_600_000,
  );
  if (maxDelayMs < initialDelayMs) {
    throw new InvalidOptionError(
      `\`${name}.maxDelayMs\` must be at least \`${name}.initialDelayMs\` (${initialDelayMs}), received number ${maxDelayMs}`,
    );
  }
  return Object.freeze({ initialDelayMs, maxDelayMs });
}

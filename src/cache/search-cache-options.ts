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
   * result after a write whose invalidation could not reach the store (Redis down).
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
}

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
  rejectUnknownKeys(raw, name, ['store', 'ttlSeconds', 'maxValueBytes', 'breaker']);
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
  });
}

/**
 * The search result cache: {@link SearchCache} over a {@link CacheStore}, in memory
 * ({@link memoryCacheStore}) or on Redis ({@link redisCacheStore}).
 *
 * @module
 */
export {
  CacheBreaker,
  resolveCacheBreakerOptions,
  type CacheBreakerOptions,
  type CacheBreakerState,
  type ResolvedCacheBreakerOptions,
} from './cache-breaker.js';
export {
  canonicalFilter,
  collectionTag,
  generationKey,
  searchKeyHash,
  type SearchKey,
} from './cache-key.js';
export { parseGeneration, type CacheStore, type GenerationLookup } from './cache-store.js';
export {
  MemoryCacheStore,
  memoryCacheStore,
  resolveMemoryCacheStoreOptions,
  type MemoryCacheStoreOptions,
  type ResolvedMemoryCacheStoreOptions,
} from './memory-store.js';
export { RedisCacheStore, redisCacheStore } from './redis-store.js';
export {
  redactRedisUrl,
  redisUrlProblem,
  resolveRedisCacheStoreOptions,
  type RedisCacheClient,
  type RedisCacheStoreOptions,
  type ResolvedRedisCacheStoreOptions,
} from './redis-store-options.js';
export {
  SearchCache,
  type CacheEvent,
  type CacheEventKind,
  type CacheStats,
  type CachedResult,
} from './search-cache.js';
export {
  resolveInvalidationRetryOptions,
  resolveSearchCacheOptions,
  type InvalidationRetryOptions,
  type ResolvedInvalidationRetryOptions,
  type ResolvedSearchCacheOptions,
  type SearchCacheOptions,
} from './search-cache-options.js';

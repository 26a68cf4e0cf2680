/**
 * The contract of a cache backing store: what {@link SearchCache} needs from the place where
 * cached search results live (process memory, Redis, or anything else).
 *
 * A store is a dumb key-value store with one extra notion, a *generation* per namespace: an
 * integer that only goes up and that every process sharing the store sees. The cache puts the
 * generation of a collection into the key of every result it stores, so bumping it makes every
 * earlier result of that collection unreachable at once (they age out by their TTL).
 *
 * A generation must never be issued twice, even by a store that can lose its latest writes (a
 * Redis restarted from an older snapshot): results may have been stored under a generation that
 * the store then lost, by processes that read it before the loss, and reissuing it would make
 * them reachable again. The Redis store therefore bumps to at least its server clock in
 * microseconds; the memory store, which cannot lose writes, counts. The cache also passes
 * `atLeast`, one more than the highest generation it has seen, so that a store that went back
 * never lands on one of those.
 *
 * Stores report trouble by rejecting; the cache catches every rejection (fail-open), counts it
 * and computes the result instead. Stores must never throw synchronously.
 *
 * @module
 */

/** What one combined lookup found: the generation, and the value stored under it (if any). */
export interface GenerationLookup {
  /** The namespace's generation (0 when it was never bumped). */
  readonly generation: number;
  /** The value at `keyPrefix + generation`, or `undefined` when there is none. */
  readonly value: string | undefined;
}

/**
 * A backing store for {@link SearchCache}. Keys are opaque strings chosen by the cache; a store
 * may namespace them further (the Redis store adds its `prefix`). Every key of one collection
 * starts with the same `{c:<collection>}:` hash tag, so that a store that spreads keys over shards by
 * hash tag (Redis Cluster) keeps a collection's generation and results together.
 *
 * @example
 * ```ts
 * const store: CacheStore = memoryCacheStore({ maxEntries: 1000 });
 * await store.set('k', 'v', 60);
 * await store.get('k'); // 'v'
 * ```
 */
export interface CacheStore {
  /**
   * Reads a value.
   *
   * @returns The value, or `undefined` when the key is missing or expired.
   */
  get(key: string): Promise<string | undefined>;
  /**
   * Stores a value that expires after `ttlSeconds`.
   *
   * @param key - The key.
   * @param value - The value (JSON text, as the cache writes it).
   * @param ttlSeconds - Time to live in whole seconds, at least 1.
   */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Reads the generation stored at `genKey`.
   *
   * @returns The generation, 0 when it was never bumped.
   */
  generation(genKey: string): Promise<number>;
  /**
   * Moves the generation at `genKey` up (atomically, for every process sharing the store) to a
   * value it never held before: greater than the current one, at least `atLeast`, and, for a
   * store that can lose writes, greater than any it issued before the loss (e.g. from a clock).
   *
   * @param genKey - The collection's generation key.
   * @param atLeast - The smallest acceptable new generation (the cache passes one more than the
   *   highest it has seen); the store must honour it.
   * @returns The new generation.
   */
  bumpGeneration(genKey: string, atLeast?: number): Promise<number>;
  /**
   * Optional one-round-trip lookup: reads the generation `g` at `genKey`, then the value at
   * `keyPrefix + g`. Without it the cache makes two calls (`generation`, then `get`).
   * `genKey` and `keyPrefix` belong to one collection and start with its tag.
   */
  getWithGeneration?(genKey: string, keyPrefix: string): Promise<GenerationLookup>;
  /** Releases the store's resources (connections, timers). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Parses a stored generation.
 *
 * @param raw - What the store held (`null` / `undefined` when the key is missing).
 * @returns The generation, 0 for a missing key, or `undefined` when `raw` is not a
 * non-negative safe integer.
 * @example
 * ```ts
 * parseGeneration('12'); // 12
 * parseGeneration(null); // 0
 * parseGeneration('x'); // undefined
 * ```
 */
export function parseGeneration(raw: unknown): number | undefined {
  if (raw === null || raw === undefined) return 0;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

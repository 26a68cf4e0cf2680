/**
 * The search result cache the mesh calls (DESIGN §6).
 *
 * A lookup reads the collection's generation and the value stored under
 * `hash(search) + generation` (one round trip when the store supports it); a write bumps the
 * generation, so every result cached before it becomes unreachable in every process sharing
 * the store. The generation is read before the backends are asked, so a result computed while
 * a write is under way is stored under the old generation and never served after the write's
 * invalidation.
 *
 * Identical concurrent lookups share one computation (single-flight), keyed like the stored
 * result, generation included: a lookup joins a computation only after its own read of the
 * store found the same generation, so a search started after a write was acknowledged (by any
 * process: its read sees the bumped generation) never joins one started before it. Lookups
 * that skip the store (breaker open) do not know the generation and are not coalesced.
 *
 * The cache never fails a search: a store error, a timeout or an unreadable value is counted
 * and the result computed (fail-open), and after a few store errors in a row its breaker skips
 * the store altogether until a probe finds it healthy again.
 *
 * Failed invalidations: when a bump cannot reach the store (Redis down, timeout, breaker open),
 * the cache retries it in the background, with a doubling delay capped at
 * `invalidationRetry.maxDelayMs`, until it gets through or the cache is closed (the timer is
 * unref'd and never rejects). Until then this process skips the store for that collection (it
 * cannot know what the store holds predates the write), and other processes may serve results
 * cached before the write: for as long as the store stays unreachable from here plus one retry
 * delay, and at most their TTL (`ttlSeconds`). An invalidation counts as pending from the moment
 * it starts, so this process also skips the store while a bump is on its way.
 *
 * Lost bumps: a store can go back to an older generation (a Redis restarted from an RDB
 * snapshot or an AOF that lost its tail, a failover to a replica that lagged, an evicted
 * generation key), and with it come back the results it held under that generation, computed
 * before the writes whose bumps it lost. Two defences:
 * - the cache remembers the highest generation it has seen per collection (of up to 10 000
 *   collections; beyond, the first seen are forgotten); a lookup that finds a lower one (read after that one was seen) skips the value
 *   under it, reports an `error` and bumps the generation past what it saw, for every process.
 *   Every bump passes `atLeast` (one more than the highest seen), so that it never lands on a
 *   generation this process saw;
 * - the store never reissues a generation it lost (the Redis store bumps to at least its
 *   server's clock in microseconds, which is past the lost ones unless that clock went back
 *   further), so results stored under a lost generation by searches that read it before the
 *   loss stay unreachable.
 * What remains: after the store went back, processes that had not seen a later generation (all
 * of them, if every process that had seen one was restarted or forgot the collection) serve the
 * results the snapshot holds under the restored generation, until some process that had seen a
 * later one looks the collection up, a write bumps it, or their TTL expires. A store without
 * persistence (an empty Redis after a restart) has no such results; see the docs on persistence.
 *
 * @module
 */
import type { VecmeshError } from '../core/errors.js';
import { BackendError } from '../core/errors.js';
import { toVecmeshError } from '../resilience/classify.js';
import { CacheBreaker, type CacheBreakerState } from './cache-breaker.js';
import { generationKey, searchKeyHash, type SearchKey } from './cache-key.js';
import type { GenerationLookup } from './cache-store.js';
import {
  resolveSearchCacheOptions,
  type ResolvedSearchCacheOptions,
  type SearchCacheOptions,
} from './search-cache-options.js';

/**
 * What happened to one lookup or invalidation: `hit`, `miss`, `error` (a store error, timeout or
 * unreadable value), `skip-too-large` (a result not cached), `bypass-open-breaker` (the store was
 * skipped because the breaker is open), `bypass-pending-invalidation` (the store was skipped
 * because an invalidation of the collection has not reached it yet), `invalidation-retried` (a
 * failed invalidation reached the store on a background retry).
 */
export type CacheEventKind =
  | 'hit'
  | 'miss'
  | 'error'
  | 'skip-too-large'
  | 'bypass-open-breaker'
  | 'bypass-pending-invalidation'
  | 'invalidation-retried';

/** One thing the cache did, for metrics and logs. */
export interface CacheEvent {
  /** What happened. */
  readonly kind: CacheEventKind;
  /** The collection concerned. */
  readonly collection: string;
  /** For `error`: what went wrong (the store's error, or an unreadable value). */
  readonly error?: VecmeshError;
}

/** Counters since the cache was created. */
export interface CacheStats {
  /** Lookups answered from the store. */
  readonly hits: number;
  /** Lookups that found nothing (or an unreadable value) and computed. */
  readonly misses: number;
  /** Store errors, timeouts and unreadable values. */
  readonly errors: number;
  /** Results not cached because they were larger than `maxValueBytes`. */
  readonly skippedTooLarge: number;
  /**
   * Lookups that skipped the store: the breaker was open, or an invalidation of their collection
   * had not reached the store yet.
   */
  readonly bypassed: number;
  /** Lookups that joined an identical one in flight (same generation). */
  readonly coalesced: number;
  /**
   * Times a collection's generation was found lower than one this process had seen (the store
   * lost bumps); each is also an `error` event, and the generation is bumped past it.
   */
  readonly generationRollbacks: number;
  /**
   * Collections with an invalidation that has not reached the store yet (being sent, or waiting
   * for its background retry); this process skips the store for them.
   */
  readonly pendingInvalidations: number;
  /** The breaker's state now. */
  readonly breakerState: CacheBreakerState;
}

/** The result of {@link SearchCache.getOrCompute}. */
export interface CachedResult<T> {
  /** The result, from the store or computed. */
  readonly value: T;
  /** Whether it came from the store. */
  readonly cached: boolean;
}

/** The stored form of a value; the marker tells a value of ours from garbage. */
interface Envelope {
  readonly vm: 1;
  readonly v: unknown;
}

type Flight = Promise<CachedResult<unknown>>;

/** Collections whose highest seen generation is remembered; more forget the oldest. */
const MAX_SEEN_GENERATIONS = 10_000;

/**
 * The search result cache.
 *
 * @example
 * ```ts
 * const cache = new SearchCache({ store: redisCacheStore({ url }) }, (e) => metrics.cache(e));
 * const { value: hits, cached } = await cache.getOrCompute(
 *   { collection: 'docs', epoch, vectors: [q], topK: 10, offset: 0,
 *     includePayload: true, includeVector: false },
 *   () => searchBackends(),
 * );
 * await cache.invalidate('docs'); // after every write to `docs`
 * ```
 */
export class SearchCache {
  private readonly options: ResolvedSearchCacheOptions;
  private readonly breaker: CacheBreaker;
  /** Computations in flight, by the key they will be stored under (generation included). */
  private readonly flights = new Map<string, Flight>();
  /**
   * Collections whose latest invalidation has not reached the store yet, with that
   * invalidation's sequence number: a bump clears the entry only when it was sent after that
   * invalidation started (a late success of an older bump must not clear a newer failure).
   */
  private readonly pending = new Map<string, number>();
  private invalidationSeq = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying: Promise<void> | undefined;
  private retryDelayMs: number;
  /** The highest generation this process has seen per collection, to notice one going back. */
  private readonly seen = new Map<string, number>();
  /** Re-bumps under way after a rollback, shared by the lookups that noticed it. */
  private readonly rebumps = new Map<string, Promise<number>>();
  private readonly writes = new Set<Promise<void>>();
  private readonly counts = {
    hits: 0,
    misses: 0,
    errors: 0,
    skippedTooLarge: 0,
    bypassed: 0,
    coalesced: 0,
    generationRollbacks: 0,
  };
  private closed = false;

  /**
   * @param options - Store, TTL, value cap, breaker.
   * @param onEvent - Called for every hit, miss, error, skipped value and bypass; it must not
   * throw (an exception from it is ignored).
   * @throws `InvalidOptionError` naming a bad option.
   */
  constructor(
    options: SearchCacheOptions,
    private readonly onEvent?: (event: CacheEvent) => void,
  ) {
    this.options = resolveSearchCacheOptions(options);
    this.breaker = new CacheBreaker(this.options.breaker);
    this.retryDelayMs = this.options.invalidationRetry.initialDelayMs;
  }

  /** Counters since creation, the invalidations not through yet, and the breaker's state. */
  stats(): CacheStats {
    return {
      ...this.counts,
      pendingInvalidations: this.pending.size,
      breakerState: this.breaker.state,
    };
  }

  /**
   * Returns the cached result of `key`, or runs `compute`, caches its result and returns it.
   * Identical concurrent calls that read the same generation from the store share one
   * `compute`. Store trouble never rejects this call.
   *
   * The result must be JSON data (numbers, strings, booleans, null, arrays, plain objects): a
   * cached result is the JSON round trip of the computed one. Callers that join a computation
   * in flight receive the same object.
   *
   * @param key - Everything that decides the search's answer.
   * @param compute - Produces the result on a miss.
   * @returns The result and whether it came from the store.
   * @throws Whatever `compute` throws (never a store error).
   */
  getOrCompute<T>(key: SearchKey, compute: () => Promise<T>): Promise<CachedResult<T>> {
    if (this.closed) return compute().then((value) => ({ value, cached: false }));
    return this.lookupOrCompute(key.collection, searchKeyHash(key), compute);
  }

  /**
   * Makes every cached result of `collection` unreachable, in every process sharing the store
   * (bumps its generation). Call it after every acknowledged write. Never rejects: when the store
   * cannot be reached (error, timeout, breaker open) the error is counted and the bump is retried
   * in the background (see `invalidationRetry`) until it gets through or the cache is closed;
   * until then this process skips the store for `collection`, while other processes may serve
   * older results (at most `ttlSeconds` old).
   */
  async invalidate(collection: string): Promise<void> {
    if (this.closed) return;
    const seq = ++this.invalidationSeq;
    // From now until the bump is through, this process's lookups of it skip the store.
    this.pending.set(collection, seq);
    if (!this.breaker.tryAcquire()) {
      this.emit({ kind: 'bypass-open-breaker', collection });
      this.scheduleRetry();
      return;
    }
    try {
      await this.bump(collection);
      this.breaker.success();
      this.settle(collection, seq);
    } catch (error) {
      this.breaker.failure();
      this.emitError(collection, error, `invalidating the cached searches of \`${collection}\``);
      this.scheduleRetry();
    }
  }

  /** Resolves when every result being written to the store has been written (or failed). */
  async flushWrites(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  /**
   * Stops the background retries (after one last attempt at the invalidations still pending,
   * when the breaker allows it), waits for pending writes, then closes the store. Later lookups
   * compute without caching.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.retrying;
    if (this.pending.size > 0) await this.retryPending();
    await this.flushWrites();
    try {
      await this.options.store.close();
    } catch {
      // Closing must not fail the mesh's close.
    }
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Clears `collection`'s pending invalidation when a bump sent after it (`seq`) got through. */
  private settle(collection: string, seq: number): boolean {
    const latest = this.pending.get(collection);
    if (latest === undefined || latest > seq) return false;
    this.pending.delete(collection);
    return true;
  }

  /** Arms the retry timer (once; unref'd, so that it never keeps the process alive). */
  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined || this.retrying !== undefined) return;
    if (this.pending.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retrying = this.retryPending()
        .catch(() => undefined) // never rejects; belt and braces against an unhandled rejection
        .finally(() => {
          this.retrying = undefined;
          if (this.pending.size === 0) {
            this.retryDelayMs = this.options.invalidationRetry.initialDelayMs;
            return;
          }
          this.retryDelayMs = Math.min(
            this.retryDelayMs * 2,
            this.options.invalidationRetry.maxDelayMs,
          );
          this.scheduleRetry();
        });
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  /**
   * One round of retries: bumps every collection still pending, through the breaker (an open
   * breaker waits for its probe; a half-open one lets this be the probe), and stops at the first
   * failure (the store is still sick; the next round comes after a longer delay).
   */
  private async retryPending(): Promise<void> {
    for (const [collection, seq] of [...this.pending]) {
      if (!this.pending.has(collection)) continue; // settled meanwhile
      if (!this.breaker.tryAcquire()) return;
      try {
        await this.bump(collection);
        this.breaker.success();
        if (this.settle(collection, seq)) this.emit({ kind: 'invalidation-retried', collection });
      } catch (error) {
        this.breaker.failure();
        this.emitError(
          collection,
          error,
          `retrying the invalidation of the cached searches of \`${collection}\``,
        );
        return;
      }
    }
  }

  private async lookupOrCompute<T>(
    collection: string,
    base: string,
    compute: () => Promise<T>,
  ): Promise<CachedResult<T>> {
    if (this.pending.has(collection)) {
      // A write's invalidation has not reached the store: what it holds may predate the write.
      this.counts.bypassed++;
      this.emit({ kind: 'bypass-pending-invalidation', collection });
      return { value: await compute(), cached: false };
    }
    if (!this.breaker.tryAcquire()) {
      this.counts.bypassed++;
      this.emit({ kind: 'bypass-open-breaker', collection });
      return { value: await compute(), cached: false };
    }
    let found: GenerationLookup;
    const genKey = generationKey(collection);
    // Read before the lookup is sent: a generation this process saw before its read started. A
    // lookup sent earlier may legitimately answer an older one.
    const floor = this.seen.get(collection);
    try {
      found = await this.lookup(genKey, base);
      if (floor !== undefined && found.generation < floor) {
        // The store lost bumps (restarted from an older snapshot, failed over to a lagging
        // replica, evicted the key): what it holds under this generation may predate writes.
        found = {
          generation: await this.rebump(collection, found.generation, floor),
          value: undefined,
        };
      }
      this.breaker.success();
    } catch (error) {
      this.breaker.failure();
      this.emitError(collection, error, `looking up a cached search of \`${collection}\``);
      return { value: await compute(), cached: false };
    }
    this.see(collection, found.generation);
    const key = `${base}${found.generation}`;
    if (found.value !== undefined) {
      const decoded = decode(found.value);
      if (decoded !== undefined) {
        this.counts.hits++;
        this.emit({ kind: 'hit', collection });
        return { value: decoded.v as T, cached: true };
      }
      this.emitError(
        collection,
        new BackendError(
          `the cached value at key \`${key}\` of collection \`${collection}\` is not a vecmesh cache entry (${describeText(found.value)}); treated as a miss and overwritten`,
          { meta: { collection } },
        ),
      );
    }
    // Join an identical computation only when it was started under the same generation: one
    // started before a write that this lookup's read already sees (the generation moved) may
    // have read the backends before that write.
    const joined = this.flights.get(key);
    if (joined !== undefined) {
      this.counts.coalesced++;
      return joined as Promise<CachedResult<T>>;
    }
    this.counts.misses++;
    this.emit({ kind: 'miss', collection });
    const flight: Flight = (async () => {
      const value = await compute();
      this.store(collection, key, value);
      return { value, cached: false };
    })().finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    this.flights.set(key, flight);
    return flight as Promise<CachedResult<T>>;
  }

  /**
   * Bumps `collection`'s generation past `floor`, once for every lookup that found it gone back
   * below `floor` at the same time, and reports the rollback.
   */
  private rebump(collection: string, found: number, floor: number): Promise<number> {
    let running = this.rebumps.get(collection);
    if (running === undefined) {
      this.counts.generationRollbacks++;
      this.emitError(
        collection,
        new BackendError(
          `the cache generation of collection \`${collection}\` went back from ${floor} to ${found}: the store lost bumps (a Redis restarted from an older snapshot, a failover to a replica that lagged, or an evicted key), so its results under ${found} may predate writes; bumped it past ${floor} and skipped them`,
          { meta: { collection } },
        ),
      );
      running = this.bump(collection).finally(() => {
        this.rebumps.delete(collection);
      });
      this.rebumps.set(collection, running);
    }
    return running;
  }

  /**
   * Bumps `collection`'s generation above every generation this process has seen of it (so that
   * after a rollback the store never reissues one), and remembers the new one.
   *
   * @throws The store's error, or a `BackendError` when the store ignored `atLeast`.
   */
  private async bump(collection: string): Promise<number> {
    const seen = this.seen.get(collection);
    const atLeast = seen === undefined ? undefined : seen + 1;
    const generation = await this.options.store.bumpGeneration(generationKey(collection), atLeast);
    if (atLeast !== undefined && !(generation >= atLeast)) {
      throw new BackendError(
        `the cache store's bumpGeneration() returned ${generation} for collection \`${collection}\`, below the atLeast it was given (${atLeast}): a CacheStore must honour atLeast`,
        { meta: { collection } },
      );
    }
    this.see(collection, generation);
    return generation;
  }

  /** Remembers the highest generation seen of `collection` (bounded: the oldest entry goes). */
  private see(collection: string, generation: number): void {
    const seen = this.seen.get(collection);
    if (seen !== undefined) {
      if (generation > seen) this.seen.set(collection, generation);
      return;
    }
    if (this.seen.size >= MAX_SEEN_GENERATIONS) {
      const oldest = this.seen.keys().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    this.seen.set(collection, generation);
  }

  private lookup(genKey: string, base: string): Promise<GenerationLookup> {
    const store = this.options.store;
    if (store.getWithGeneration !== undefined) return store.getWithGeneration(genKey, base);
    return store
      .generation(genKey)
      .then(async (generation) => ({ generation, value: await store.get(`${base}${generation}`) }));
  }

  /** Writes a computed result in the background (the caller does not wait for the store). */
  private store(collection: string, key: string, value: unknown): void {
    if (value === undefined) return;
    let text: string;
    try {
      text = JSON.stringify({ vm: 1, v: value } satisfies Envelope);
    } catch (error) {
      this.emitError(collection, error, `serialising a search result of \`${collection}\``);
      return;
    }
    if (Buffer.byteLength(text) > this.options.maxValueBytes) {
      this.counts.skippedTooLarge++;
      this.emit({ kind: 'skip-too-large', collection });
      return;
    }
    if (!this.breaker.tryAcquire()) return;
    const write = this.options.store.set(key, text, this.options.ttlSeconds).then(
      () => {
        this.breaker.success();
      },
      (error: unknown) => {
        this.breaker.failure();
        this.emitError(collection, error, `storing a search result of \`${collection}\``);
      },
    );
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private emitError(collection: string, error: unknown, context?: string): void {
    this.counts.errors++;
    const err = toVecmeshError(error, context).withMeta({ collection });
    this.emit({ kind: 'error', collection, error: err });
  }

  private emit(event: CacheEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // A listener's bug must not fail a search.
    }
  }
}

/** Parses a stored value; `undefined` when it is not one of ours. */
function decode(text: string): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && (parsed as { vm?: unknown }).vm === 1) {
      if ('v' in parsed) return parsed as Envelope;
    }
  } catch {
    // Falls through: garbage.
  }
  return undefined;
}

/** A short description of unreadable stored text. */
function describeText(text: string): string {
  const head = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return `${text.length} characters starting ${JSON.stringify(head)}`;
}

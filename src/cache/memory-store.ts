/**
 * The in-process cache store on lru-cache: bounded by entry count and by bytes, TTL honoured.
 * Generations live in a separate map that is never evicted (a generation that fell back to 0
 * could make old results reachable again).
 *
 * @module
 */
import { LRUCache } from 'lru-cache';
import { optionInteger, optionObject, rejectUnknownKeys } from '../core/options.js';
import type { CacheStore, GenerationLookup } from './cache-store.js';

/** Options of {@link memoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /**
   * Most values kept; the least recently used go first.
   * @default 10000
   */
  maxEntries?: number;
  /**
   * Most bytes of values kept (UTF-16 string length x 2 plus the key), so that a few huge
   * results cannot take the process's memory.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
}

/** {@link MemoryCacheStoreOptions} with every default filled in. */
export type ResolvedMemoryCacheStoreOptions = Readonly<Required<MemoryCacheStoreOptions>>;

/**
 * Validates {@link MemoryCacheStoreOptions}.
 *
 * @throws `InvalidOptionError` naming the bad option.
 */
export function resolveMemoryCacheStoreOptions(input: unknown): ResolvedMemoryCacheStoreOptions {
  const raw = optionObject(input ?? {}, 'memoryCacheStore');
  rejectUnknownKeys(raw, 'memoryCacheStore', ['maxEntries', 'maxBytes']);
  return Object.freeze({
    maxEntries: optionInteger(raw.maxEntries, 'memoryCacheStore.maxEntries', 10_000, 1),
    maxBytes: optionInteger(raw.maxBytes, 'memoryCacheStore.maxBytes', 64 * 1024 * 1024, 1),
  });
}

/** The memory store; see {@link memoryCacheStore}. */
export class MemoryCacheStore implements CacheStore {
  private readonly values: LRUCache<string, string>;
  private readonly generations = new Map<string, number>();

  /** @param options - Resolved options. */
  constructor(options: ResolvedMemoryCacheStoreOptions) {
    this.values = new LRUCache<string, string>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (value, key) => Math.max(1, (value.length + key.length) * 2),
    });
  }

  /** How many values are held now (for tests and stats). */
  get size(): number {
    return this.values.size;
  }

  /** {@inheritDoc CacheStore.get} */
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  /** {@inheritDoc CacheStore.set} */
  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    // A value bigger than maxBytes is refused by lru-cache (not stored), which is what we want.
    this.values.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  /** {@inheritDoc CacheStore.generation} */
  generation(genKey: string): Promise<number> {
    return Promise.resolve(this.generations.get(genKey) ?? 0);
  }

  /**
   * Moves the generation at `genKey` to one more than now, or to `atLeast` when that is larger:
   * a counter (a process's memory never goes back, so counting never reissues a generation).
   *
   * @param genKey - The collection's generation key.
   * @param atLeast - The smallest acceptable new generation.
   * @returns The new generation.
   */
  bumpGeneration(genKey: string, atLeast = 0): Promise<number> {
    const next = Math.max((this.generations.get(genKey) ?? 0) + 1, atLeast);
    this.generations.set(genKey, next);
    return Promise.resolve(next);
  }

  /** {@inheritDoc CacheStore.getWithGeneration} */
  getWithGeneration(genKey: string, keyPrefix: string): Promise<GenerationLookup> {
    const generation = this.generations.get(genKey) ?? 0;
    return Promise.resolve({ generation, value: this.values.get(`${keyPrefix}${generation}`) });
  }

  /** {@inheritDoc CacheStore.close} */
  close(): Promise<void> {
    this.values.clear();
    return Promise.resolve();
  }
}

/**
 * Creates the in-process cache store (the default of {@link SearchCache}'s callers that do not
 * share results between processes).
 *
 * @param options - Size bounds.
 * @default options `{ maxEntries: 10_000, maxBytes: 64 MiB }`
 * @throws `InvalidOptionError` naming a bad option.
 * @example
 * ```ts
 * const cache = new SearchCache({ store: memoryCacheStore({ maxEntries: 50_000 }) });
 * ```
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions = {}): MemoryCacheStore {
  return new MemoryCacheStore(resolveMemoryCacheStoreOptions(options));
}

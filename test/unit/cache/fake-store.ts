/**
 * A cache store for tests: the memory store behind a switch that makes every call fail, counters
 * of the calls made, late bump replies, and a rollback of the generations (what a Redis restarted
 * from an older snapshot does).
 */
import { UnavailableError } from '../../../src/core/errors.js';
import type { CacheStore, GenerationLookup } from '../../../src/cache/cache-store.js';
import { memoryCacheStore, type MemoryCacheStore } from '../../../src/cache/memory-store.js';

/** How the fake behaves now. */
export type FakeMode = 'ok' | 'fail';

/** A {@link CacheStore} whose failures the test controls. */
export class FakeStore implements CacheStore {
  /** The store behind the switch. */
  readonly inner: MemoryCacheStore = memoryCacheStore();
  /** Current behaviour. */
  mode: FakeMode = 'ok';
  /** The generations (not in `inner`, so that a test can roll them back). */
  private readonly generations = new Map<string, number>();
  /** Calls per method. */
  readonly calls = { get: 0, set: 0, generation: 0, bump: 0, lookup: 0 };
  /**
   * Awaited after a bump was applied and before it is answered: a reply that is late (the bump
   * happened in the store, the caller does not know it yet).
   */
  afterBump: (() => Promise<void>) | undefined;
  /** Awaited after a combined lookup read the store and before it is answered. */
  afterLookup: (() => Promise<void>) | undefined;
  /** @param combined - Whether `getWithGeneration` is offered (false: the cache makes two calls). */
  constructor(private readonly combined = true) {
    if (!combined) this.getWithGeneration = undefined;
  }

  private check(): void {
    if (this.mode === 'fail') throw new UnavailableError('fake store is down');
  }

  async get(key: string): Promise<string | undefined> {
    this.calls.get++;
    this.check();
    return this.inner.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.calls.set++;
    this.check();
    return this.inner.set(key, value, ttlSeconds);
  }

  async generation(genKey: string): Promise<number> {
    this.calls.generation++;
    this.check();
    return Promise.resolve(this.generations.get(genKey) ?? 0);
  }

  /** Counts like the memory store: one more, or `atLeast` (a store that honours it). */
  async bumpGeneration(genKey: string, atLeast = 0): Promise<number> {
    this.calls.bump++;
    this.check();
    const generation = Math.max((this.generations.get(genKey) ?? 0) + 1, atLeast);
    this.generations.set(genKey, generation);
    await this.afterBump?.();
    return generation;
  }

  getWithGeneration?: (genKey: string, keyPrefix: string) => Promise<GenerationLookup> = async (
    genKey,
    keyPrefix,
  ) => {
    this.calls.lookup++;
    this.check();
    const generation = this.generations.get(genKey) ?? 0;
    const value = await this.inner.get(`${keyPrefix}${generation}`);
    await this.afterLookup?.();
    return { generation, value };
  };

  /**
   * Takes a snapshot of the generations; calling what it returns puts them back (the values
   * stay, which is the worst case: a real restore also brings back the values of the snapshot,
   * and results stored under later generations may be written again by searches in flight).
   */
  snapshot(): () => void {
    const saved = new Map(this.generations);
    return () => {
      this.generations.clear();
      for (const [k, v] of saved) this.generations.set(k, v);
    };
  }

  /** Writes raw text at `key`, bypassing the cache (to plant garbage). */
  async poison(key: string, text: string): Promise<void> {
    await this.inner.set(key, text, 60);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

/**
 * A cache store for tests: the memory store behind a switch that makes every call fail (or
 * hang), and counters of the calls made.
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
  /** Calls per method. */
  readonly calls = { get: 0, set: 0, generation: 0, bump: 0, lookup: 0 };
  /**
   * Awaited after a bump was applied and before it is answered: a reply that is late (the bump
   * happened in the store, the caller does not know it yet).
   */
  afterBump: (() => Promise<void>) | undefined;
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
    return this.inner.generation(genKey);
  }

  async bumpGeneration(genKey: string): Promise<number> {
    this.calls.bump++;
    this.check();
    const generation = await this.inner.bumpGeneration(genKey);
    await this.afterBump?.();
    return generation;
  }

  getWithGeneration?: (genKey: string, keyPrefix: string) => Promise<GenerationLookup> = async (
    genKey,
    keyPrefix,
  ) => {
    this.calls.lookup++;
    this.check();
    return this.inner.getWithGeneration(genKey, keyPrefix);
  };

  /** Writes raw text at `key`, bypassing the cache (to plant garbage). */
  async poison(key: string, text: string): Promise<void> {
    await this.inner.set(key, text, 60);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

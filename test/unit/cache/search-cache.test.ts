import { afterEach, describe, expect, it, vi } from 'vitest';
import { searchKeyHash, type SearchKey } from '../../../src/cache/cache-key.js';
import { memoryCacheStore } from '../../../src/cache/memory-store.js';
import { SearchCache, type CacheEvent } from '../../../src/cache/search-cache.js';
import { resolveSearchCacheOptions } from '../../../src/cache/search-cache-options.js';
import { InvalidOptionError, VecmeshError } from '../../../src/core/errors.js';
import { FakeStore } from './fake-store.js';

const key: SearchKey = {
  collection: 'docs',
  epoch: 1,
  vectors: [new Float32Array([1, 2, 3])],
  topK: 2,
  offset: 0,
  includePayload: true,
  includeVector: false,
};

interface Hit {
  id: string | number;
  score: number;
  payload?: Record<string, unknown>;
}

const hits: Hit[][] = [
  [
    { id: 7, score: 0.9, payload: { lang: 'en', tags: ['a'], n: null } },
    { id: '7', score: 0.5 },
  ],
];

/** A compute that counts its calls and returns a fresh copy of `hits`. */
function counter(value: unknown = hits): { calls: number; fn: () => Promise<unknown> } {
  const c = {
    calls: 0,
    fn: async () => {
      c.calls++;
      await Promise.resolve();
      return structuredClone(value);
    },
  };
  return c;
}

const caches: SearchCache[] = [];
function cache(
  store = new FakeStore(),
  extra: Partial<ConstructorParameters<typeof SearchCache>[0]> = {},
): { cache: SearchCache; store: FakeStore; events: CacheEvent[] } {
  const events: CacheEvent[] = [];
  const c = new SearchCache({ store, ...extra }, (e) => events.push(e));
  caches.push(c);
  return { cache: c, store, events };
}

afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  vi.useRealTimers();
});

describe('SearchCache', () => {
  it('misses, then hits with the same value (numeric and string ids keep their types)', async () => {
    const { cache: c, events } = cache();
    const compute = counter();
    const first = await c.getOrCompute(key, compute.fn);
    expect(first).toEqual({ value: hits, cached: false });
    const second = await c.getOrCompute(key, compute.fn);
    expect(second).toEqual({ value: hits, cached: true });
    expect(compute.calls).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(['miss', 'hit']);
    expect(c.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0 });
  });

  it('works with a store without the combined lookup (two calls)', async () => {
    const { cache: c, store } = cache(new FakeStore(false));
    const compute = counter();
    await c.getOrCompute(key, compute.fn);
    expect((await c.getOrCompute(key, compute.fn)).cached).toBe(true);
    expect(store.calls.generation).toBe(2);
    expect(store.calls.lookup).toBe(0);
  });

  it('never serves one search the result of another', async () => {
    const { cache: c } = cache();
    const variants: SearchKey[] = [
      { ...key, collection: 'other' },
      { ...key, tenant: 'acme' },
      { ...key, tenant: 'globex' },
      { ...key, epoch: 2 },
      { ...key, filter: { kind: 'compare', field: 'lang', op: 'eq', value: 'en' } },
      { ...key, vectors: [new Float32Array([1, 2, 3.0001])] },
      { ...key, topK: 3 },
      { ...key, offset: 1 },
      { ...key, includePayload: false },
      { ...key, includeVector: true },
      { ...key, params: { ef: 32 } },
      { ...key, params: { exact: true } },
    ];
    await c.getOrCompute(key, counter().fn);
    for (const [i, variant] of variants.entries()) {
      const compute = counter([[{ id: i, score: i }]]);
      const got = await c.getOrCompute(variant, compute.fn);
      expect(got.cached, `variant ${i}`).toBe(false);
      expect(compute.calls).toBe(1);
      expect((await c.getOrCompute(variant, compute.fn)).value).toEqual([[{ id: i, score: i }]]);
    }
  });

  it('misses after invalidate, for that collection only', async () => {
    const { cache: c } = cache();
    const other = { ...key, collection: 'other' };
    await c.getOrCompute(key, counter().fn);
    await c.getOrCompute(other, counter().fn);
    await c.invalidate('docs');
    expect((await c.getOrCompute(key, counter().fn)).cached).toBe(false);
    expect((await c.getOrCompute(key, counter().fn)).cached).toBe(true);
    expect((await c.getOrCompute(other, counter().fn)).cached).toBe(true);
  });

  it('shares one compute between identical concurrent lookups', async () => {
    const { cache: c } = cache();
    const compute = counter();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.getOrCompute(key, compute.fn)),
    );
    expect(compute.calls).toBe(1);
    expect(results.every((r) => r.value === results[0]!.value)).toBe(true);
    expect(c.stats().coalesced).toBe(19);
    const other = counter();
    await Promise.all([
      c.getOrCompute({ ...key, topK: 5 }, other.fn),
      c.getOrCompute({ ...key, topK: 6 }, other.fn),
    ]);
    expect(other.calls).toBe(2);
  });

  it('does not let a lookup after invalidate join a computation started before it', async () => {
    const { cache: c } = cache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const before = c.getOrCompute(key, async () => {
      await gate;
      return 'old';
    });
    await c.invalidate('docs');
    const after = c.getOrCompute(key, () => Promise.resolve('new'));
    release();
    expect((await before).value).toBe('old');
    expect((await after).value).toBe('new');
    await c.flushWrites();
    expect((await c.getOrCompute(key, () => Promise.resolve('x'))).value).toBe('new');
  });

  it("does not let a lookup join a computation started before another process's write", async () => {
    // Two caches over one store: two application processes sharing a Redis.
    const store = new FakeStore();
    const { cache: a } = cache(store);
    const { cache: b } = cache(store);
    let started!: () => void;
    const computing = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const before = a.getOrCompute(key, async () => {
      started();
      await gate;
      return 'old';
    });
    await computing; // a is asking the backends, under the generation before the write
    await b.invalidate('docs'); // the other process's write is acknowledged
    const after = a.getOrCompute(key, () => Promise.resolve('new'));
    release();
    expect((await before).value).toBe('old');
    expect((await after).value).toBe('new');
    expect(a.stats().coalesced).toBe(0);
  });

  it('does not coalesce lookups that skip the store (their generation is unknown)', async () => {
    const { cache: c, store } = cache(undefined, { breaker: { consecutiveFailures: 1 } });
    store.mode = 'fail';
    await c.getOrCompute(key, counter().fn); // opens the breaker
    const compute = counter();
    await Promise.all([c.getOrCompute(key, compute.fn), c.getOrCompute(key, compute.fn)]);
    expect(compute.calls).toBe(2);
    expect(c.stats()).toMatchObject({ bypassed: 2, coalesced: 0 });
  });

  it('passes a compute error to every caller and caches nothing', async () => {
    const { cache: c } = cache();
    const failing = (): Promise<never> => Promise.reject(new Error('backend down'));
    const all = await Promise.allSettled([
      c.getOrCompute(key, failing),
      c.getOrCompute(key, failing),
    ]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await c.getOrCompute(key, counter().fn)).cached).toBe(false);
  });

  it('does not cache a value larger than maxValueBytes, and counts it', async () => {
    const { cache: c, events } = cache(undefined, { maxValueBytes: 100 });
    const big = [[{ id: 1, score: 1, payload: { text: 'x'.repeat(200) } }]];
    await c.getOrCompute(key, counter(big).fn);
    expect((await c.getOrCompute(key, counter(big).fn)).cached).toBe(false);
    expect(events.filter((e) => e.kind === 'skip-too-large')).toHaveLength(2);
    expect(c.stats().skippedTooLarge).toBe(2);
  });

  it('fails open: a failing store still returns results, counts errors, opens and closes its breaker', async () => {
    let now = 0;
    const {
      cache: c,
      store,
      events,
    } = cache(undefined, {
      breaker: { consecutiveFailures: 3, resetTimeoutMs: 1000 },
    });
    // The breaker reads Date.now.
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      await c.getOrCompute(key, counter().fn); // cached while healthy
      store.mode = 'fail';
      for (let i = 0; i < 5; i++) {
        const got = await c.getOrCompute(key, counter().fn);
        expect(got).toEqual({ value: hits, cached: false });
      }
      expect(c.stats()).toMatchObject({ errors: 3, bypassed: 2, breakerState: 'open' });
      const err = events.find((e) => e.kind === 'error')?.error;
      expect(err).toBeInstanceOf(VecmeshError);
      expect(err?.message).toMatch(/fake store is down/);
      expect(err?.meta.collection).toBe('docs');
      const lookups = store.calls.lookup;
      await c.getOrCompute(key, counter().fn);
      expect(store.calls.lookup).toBe(lookups); // open: the store is skipped
      now = 1000; // half-open: one probe, which fails
      await c.getOrCompute(key, counter().fn);
      expect(store.calls.lookup).toBe(lookups + 1);
      expect(c.stats().breakerState).toBe('open');
      store.mode = 'ok';
      now = 2000; // the probe succeeds: closed, and the entry cached before is served again
      expect((await c.getOrCompute(key, counter().fn)).cached).toBe(true);
      expect(c.stats().breakerState).toBe('closed');
    } finally {
      clock.mockRestore();
    }
  });

  it('never rejects invalidate; retries a failed one in the background until it gets through, skipping the store for that collection meanwhile', async () => {
    vi.useFakeTimers();
    const store = new FakeStore();
    const retry = { initialDelayMs: 100, maxDelayMs: 400 };
    const a = cache(store, { breaker: { consecutiveFailures: 100 }, invalidationRetry: retry });
    const b = cache(store); // another process on the same store
    const other = { ...key, collection: 'other' };
    await b.cache.getOrCompute(key, counter('before the write').fn);
    await a.cache.getOrCompute(other, counter().fn);
    await b.cache.flushWrites();
    await a.cache.flushWrites();

    store.mode = 'fail';
    await expect(a.cache.invalidate('docs')).resolves.toBeUndefined();
    expect(a.cache.stats()).toMatchObject({ errors: 1, pendingInvalidations: 1 });
    expect(store.calls.bump).toBe(1);

    // This process skips the store for `docs` (what it holds may predate the write)...
    store.mode = 'ok';
    const lookups = store.calls.lookup;
    const during = await a.cache.getOrCompute(key, counter('after the write').fn);
    expect(during).toEqual({ value: 'after the write', cached: false });
    expect(store.calls.lookup).toBe(lookups);
    expect(a.events.at(-1)?.kind).toBe('bypass-pending-invalidation');
    // ... but not for other collections.
    expect((await a.cache.getOrCompute(other, counter().fn)).cached).toBe(true);

    // Retries: 100, then 200, then 400, 400 ms (capped), until the store answers.
    store.mode = 'fail';
    for (const [delay, bumps] of [
      [99, 1],
      [1, 2],
      [200, 3],
      [400, 4],
      [400, 5],
    ] as const) {
      await vi.advanceTimersByTimeAsync(delay);
      expect(store.calls.bump).toBe(bumps);
    }
    expect(a.cache.stats().pendingInvalidations).toBe(1);
    store.mode = 'ok';
    await vi.advanceTimersByTimeAsync(400);
    expect(store.calls.bump).toBe(6);
    expect(a.cache.stats().pendingInvalidations).toBe(0);
    expect(a.events.filter((e) => e.kind === 'invalidation-retried')).toEqual([
      { kind: 'invalidation-retried', collection: 'docs' },
    ]);

    // The other process no longer serves what was cached before the write, and this one uses
    // the store again; the retries have stopped.
    const fromB = await b.cache.getOrCompute(key, counter('after the write').fn);
    expect(fromB).toEqual({ value: 'after the write', cached: false });
    await b.cache.flushWrites();
    expect((await a.cache.getOrCompute(key, counter().fn)).value).toBe('after the write');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.calls.bump).toBe(6);
  });

  it('retries an invalidation refused by an open breaker, through its probe', async () => {
    vi.useFakeTimers();
    const store = new FakeStore();
    const { cache: c } = cache(store, {
      breaker: { consecutiveFailures: 1, resetTimeoutMs: 1000 },
      invalidationRetry: { initialDelayMs: 100, maxDelayMs: 400 },
    });
    store.mode = 'fail';
    await c.getOrCompute(key, counter().fn); // opens the breaker
    store.mode = 'ok';
    await c.invalidate('docs');
    expect(store.calls.bump).toBe(0); // skipped: the breaker is open
    expect(c.stats().pendingInvalidations).toBe(1);
    await vi.advanceTimersByTimeAsync(700); // 100 + 200 + 400: still open, nothing sent
    expect(store.calls.bump).toBe(0);
    await vi.advanceTimersByTimeAsync(400); // half-open: the retry is the probe
    expect(store.calls.bump).toBe(1);
    expect(c.stats()).toMatchObject({ pendingInvalidations: 0, breakerState: 'closed' });
  });

  it('keeps a newer failed invalidation pending when an older bump succeeds late', async () => {
    vi.useFakeTimers();
    const store = new FakeStore();
    const { cache: c } = cache(store, { breaker: { consecutiveFailures: 100 } });
    let release!: () => void;
    store.afterBump = () => new Promise<void>((r) => (release = r));
    const first = c.invalidate('docs'); // applied by the store, its reply late
    await vi.advanceTimersByTimeAsync(0);
    store.afterBump = undefined;
    store.mode = 'fail';
    await c.invalidate('docs'); // a second write: its bump fails
    store.mode = 'ok';
    release();
    await first;
    expect(c.stats().pendingInvalidations).toBe(1); // the first bump predates the second write
    await vi.advanceTimersByTimeAsync(100);
    expect(c.stats().pendingInvalidations).toBe(0);
    expect(store.calls.bump).toBe(3);
  });

  it('stops retrying on close (after one last attempt), leaving no timer and no rejection', async () => {
    vi.useFakeTimers();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const timers: NodeJS.Timeout[] = [];
      const realSetTimeout = globalThis.setTimeout;
      const spy = vi
        .spyOn(globalThis, 'setTimeout')
        .mockImplementation((...args: Parameters<typeof setTimeout>) => {
          const timer = realSetTimeout(...args);
          timers.push(timer);
          return timer;
        });
      const store = new FakeStore();
      const { cache: c } = cache(store, { breaker: { consecutiveFailures: 100 } });
      store.mode = 'fail';
      await c.invalidate('docs');
      spy.mockRestore();
      expect(timers).toHaveLength(1);
      expect(timers[0]!.hasRef()).toBe(false); // never keeps the process alive
      await vi.advanceTimersByTimeAsync(100);
      expect(store.calls.bump).toBe(2);
      await c.close();
      expect(store.calls.bump).toBe(3); // the last attempt
      await vi.advanceTimersByTimeAsync(60_000);
      expect(store.calls.bump).toBe(3);
      await c.invalidate('docs'); // closed: nothing
      expect(store.calls.bump).toBe(3);
      vi.useRealTimers();
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('does not serve what was cached before writes that the store lost (generation rolled back)', async () => {
    const store = new FakeStore();
    const { cache: a, events } = cache(store); // this process saw the lost writes
    const { cache: b } = cache(store); // another process, which did not
    await a.getOrCompute(key, counter('v0').fn);
    await a.flushWrites(); // v0 under generation 0
    const restore = store.snapshot(); // Redis saves its RDB
    await a.invalidate('docs'); // write 1: generation 1
    await a.getOrCompute(key, counter('v1').fn);
    await a.flushWrites(); // v1 under generation 1 (computed before write 2)
    await a.invalidate('docs'); // write 2: generation 2
    restore(); // Redis restarts from the RDB: generation 0 again, v0 under it

    const got = await a.getOrCompute(key, counter('v2').fn);
    expect(got).toEqual({ value: 'v2', cached: false });
    expect(a.stats().generationRollbacks).toBe(1);
    const error = events.find((e) => e.kind === 'error')?.error;
    expect(error?.message).toMatch(/generation of collection `docs` went back from 2 to 0/);
    expect(error?.meta.collection).toBe('docs');
    // The generation was bumped past 2 for every process: b sees a's fresh result, never v0/v1.
    await a.flushWrites();
    expect(await b.getOrCompute(key, counter('x').fn)).toEqual({ value: 'v2', cached: true });
    expect(a.stats().generationRollbacks).toBe(1);
  });

  it('never bumps a rolled-back generation onto one it saw before', async () => {
    const store = new FakeStore();
    const { cache: a } = cache(store);
    const { cache: b } = cache(store);
    const restore = store.snapshot(); // generation 0
    await a.invalidate('docs'); // write 1: generation 1
    await a.getOrCompute(key, counter('v1').fn);
    await a.flushWrites(); // v1 under generation 1
    await a.invalidate('docs'); // write 2: generation 2
    restore();
    await a.invalidate('docs'); // write 3, right after the restore: counting on would give 1
    expect(await b.getOrCompute(key, counter('v3').fn)).toEqual({ value: 'v3', cached: false });
  });

  it('re-bumps once for lookups that notice a rollback together, and not for a late reply', async () => {
    const store = new FakeStore();
    const { cache: c } = cache(store);
    const restore = store.snapshot(); // generation 0
    await c.invalidate('docs');
    await c.invalidate('docs');
    await c.getOrCompute(key, counter().fn); // has seen generation 2
    restore();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => c.getOrCompute({ ...key, topK: i + 1 }, counter().fn)),
    );
    expect(store.calls.bump).toBe(3);
    expect(c.stats().generationRollbacks).toBe(1);

    // A lookup sent before a bump and answered after it read an older generation, legitimately.
    let release!: () => void;
    const read = new Promise<void>((readDone) => {
      store.afterLookup = () => {
        readDone();
        return new Promise<void>((r) => (release = r));
      };
    });
    const late = c.getOrCompute({ ...key, topK: 9 }, counter().fn);
    await read; // it read generation 3; its reply is held
    store.afterLookup = undefined;
    await c.invalidate('docs');
    release();
    expect((await late).cached).toBe(false);
    expect(c.stats().generationRollbacks).toBe(1);
    expect(store.calls.bump).toBe(4);
  });

  it('refuses a store whose bump ignores atLeast after a rollback, without serving stale', async () => {
    class Counting extends FakeStore {
      override bumpGeneration(genKey: string): Promise<number> {
        return super.bumpGeneration(genKey);
      }
    }
    const store = new Counting();
    const { cache: c, events } = cache(store);
    const restore = store.snapshot();
    await c.invalidate('docs');
    await c.getOrCompute(key, counter('v1').fn);
    await c.flushWrites();
    await c.invalidate('docs');
    restore();
    await c.invalidate('docs'); // lands on 1, which was issued before
    expect(c.stats().pendingInvalidations).toBe(1);
    expect(events.at(-1)?.error?.message).toMatch(/returned 1 .*below the atLeast .*\(3\)/);
    expect((await c.getOrCompute(key, counter('v3').fn)).value).toBe('v3');
  });

  it('treats a value that is not ours as a miss and an error with a clear message', async () => {
    const { cache: c, store, events } = cache();
    const k = `${searchKeyHash(key)}0`;
    for (const garbage of ['not json{', '42', '{"v":1}', '{"vm":2,"v":1}']) {
      events.length = 0;
      await store.poison(k, garbage);
      const got = await c.getOrCompute(key, counter().fn);
      expect(got).toEqual({ value: hits, cached: false });
      expect(events.map((e) => e.kind)).toEqual(['error', 'miss']);
      expect(events[0]!.error?.message).toMatch(/is not a vecmesh cache entry/);
      await c.flushWrites();
      expect((await c.getOrCompute(key, counter().fn)).cached).toBe(true); // overwritten
    }
  });

  it('does not fail a search when the result cannot be serialised', async () => {
    const { cache: c } = cache();
    const got = await c.getOrCompute(key, () => Promise.resolve({ n: 1n }));
    expect(got.value).toEqual({ n: 1n });
    expect(c.stats().errors).toBe(1);
  });

  it('survives a listener that throws', async () => {
    const c = new SearchCache({ store: memoryCacheStore() }, () => {
      throw new Error('listener bug');
    });
    caches.push(c);
    expect((await c.getOrCompute(key, counter().fn)).cached).toBe(false);
  });

  it('computes without caching after close', async () => {
    const { cache: c, store } = cache();
    await c.close();
    expect((await c.getOrCompute(key, counter().fn)).cached).toBe(false);
    await c.invalidate('docs');
    expect(store.calls.lookup).toBe(0);
  });

  it('validates its options, naming the option', () => {
    const store = memoryCacheStore();
    expect(() => new SearchCache({ store, ttlSeconds: 0 })).toThrow(/`cache\.ttlSeconds`/);
    expect(() => new SearchCache({ store, maxValueBytes: 1.5 })).toThrow(
      /`cache\.maxValueBytes`.*1\.5/,
    );
    expect(() => new SearchCache({ store: {} as never })).toThrow(/`cache\.store`.*`get`/);
    expect(() => new SearchCache({ store, ttl: 1 } as never)).toThrow(InvalidOptionError);
    expect(() => new SearchCache(undefined as never)).toThrow(/`cache` must be an object/);
    expect(() => new SearchCache({ store, invalidationRetry: { initialDelayMs: 0 } })).toThrow(
      /`cache\.invalidationRetry\.initialDelayMs`/,
    );
    expect(
      () => new SearchCache({ store, invalidationRetry: { initialDelayMs: 500, maxDelayMs: 100 } }),
    ).toThrow(/`cache\.invalidationRetry\.maxDelayMs` must be at least .*500.*100/);
    expect(() => new SearchCache({ store, invalidationRetry: { max: 1 } } as never)).toThrow(
      /unknown option `cache\.invalidationRetry\.max`/,
    );
    expect(resolveSearchCacheOptions({ store }).invalidationRetry).toEqual({
      initialDelayMs: 100,
      maxDelayMs: 5000,
    });
    expect(
      resolveSearchCacheOptions({ store, invalidationRetry: { initialDelayMs: 9000 } })
        .invalidationRetry,
    ).toEqual({ initialDelayMs: 9000, maxDelayMs: 9000 });
  });
});

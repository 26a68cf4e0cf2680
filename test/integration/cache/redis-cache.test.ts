/**
 * The cache against a real redis-server (started by test/integration/setup-redis.ts): sharing
 * and invalidation across instances, garbage in Redis, unreachable and misconfigured URLs.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis-5';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { generationKey, searchKeyHash, type SearchKey } from '../../../src/cache/cache-key.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
import { SearchCache, type CacheEvent } from '../../../src/cache/search-cache.js';
import { InvalidOptionError, UnavailableError } from '../../../src/core/errors.js';
import { freePort } from '../../helpers/redis-server.js';

const url = inject('redisUrl');

const key: SearchKey = {
  collection: 'docs',
  epoch: 1,
  tenant: 'acme',
  vectors: [new Float32Array([0.25, -1, 3.5])],
  topK: 3,
  offset: 0,
  filter: { kind: 'compare', field: 'lang', op: 'eq', value: 'en' },
  includePayload: true,
  includeVector: false,
};
const hits = [
  [
    { id: 1, score: 0.9, payload: { lang: 'en' } },
    { id: 'b', score: 0.4 },
  ],
];

let raw: Redis;
const open: SearchCache[] = [];

/** A cache on the shared Redis with its own key prefix (tests do not see each other's keys). */
function cacheOn(
  prefix: string,
  storeUrl = url,
  events: CacheEvent[] = [],
): { cache: SearchCache; events: CacheEvent[] } {
  const cache = new SearchCache(
    {
      store: redisCacheStore({ url: storeUrl, prefix, commandTimeoutMs: 200 }),
      breaker: { consecutiveFailures: 3, resetTimeoutMs: 200 },
    },
    (e) => events.push(e),
  );
  open.push(cache);
  return { cache, events };
}

function compute(value: unknown = hits): { calls: number; fn: () => Promise<unknown> } {
  const c = {
    calls: 0,
    fn: () => {
      c.calls++;
      return Promise.resolve(structuredClone(value));
    },
  };
  return c;
}

beforeAll(() => {
  raw = new Redis(url, { lazyConnect: true });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await raw.quit();
});

describe('SearchCache on Redis', () => {
  it('shares results between instances, and an invalidate through one makes the other miss', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const b = cacheOn(prefix);
    const work = compute();
    expect((await a.cache.getOrCompute(key, work.fn)).cached).toBe(false);
    await a.cache.flushWrites();
    const fromB = await b.cache.getOrCompute(key, work.fn);
    expect(fromB).toEqual({ value: hits, cached: true }); // ids keep their types
    expect(work.calls).toBe(1);

    const before = Date.now() * 1000;
    await a.cache.invalidate('docs');
    // Bumped to the Redis server's clock in microseconds (near this process's on one machine).
    const first = Number(await raw.get(`${prefix}${generationKey('docs')}`));
    expect(first).toBeGreaterThan(before - 60_000_000);
    expect(Number.isSafeInteger(first)).toBe(true);
    expect(await raw.get(`${prefix}{c:docs}:g`)).toBe(String(first)); // the layout, hash tag first
    expect((await b.cache.getOrCompute(key, work.fn)).cached).toBe(false);
    expect(work.calls).toBe(2);
    await b.cache.flushWrites();
    expect((await a.cache.getOrCompute(key, work.fn)).cached).toBe(true);

    // A generation b's store has not seen yet: it asks again under it and finds a's result.
    await a.cache.invalidate('docs');
    expect((await a.cache.getOrCompute(key, work.fn)).cached).toBe(false);
    await a.cache.flushWrites();
    expect((await b.cache.getOrCompute(key, work.fn)).cached).toBe(true);
    expect(work.calls).toBe(3);

    // Another tenant or collection never sees these results.
    expect((await a.cache.getOrCompute({ ...key, tenant: 'globex' }, work.fn)).cached).toBe(false);
    expect((await a.cache.getOrCompute({ ...key, collection: 'other' }, work.fn)).cached).toBe(
      false,
    );
    expect(a.events.filter((e) => e.kind === 'error')).toEqual([]);

    const generation = await raw.get(`${prefix}${generationKey('docs')}`);
    expect(Number(generation)).toBeGreaterThan(first);
    const ttl = await raw.ttl(`${prefix}${searchKeyHash(key)}${generation}`);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it("never lets a search started after another instance's write join one started before it", async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const b = cacheOn(prefix);
    let started!: () => void;
    const computing = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const before = a.cache.getOrCompute(key, async () => {
      started();
      await gate;
      return 'before the write';
    });
    await computing;
    await b.cache.invalidate('docs'); // acknowledged: a's next search must not join `before`
    const after = a.cache.getOrCompute(key, () => Promise.resolve('after the write'));
    release();
    expect((await before).value).toBe('before the write');
    expect(await after).toEqual({ value: 'after the write', cached: false });
    expect(a.cache.stats().coalesced).toBe(0);
    expect([...a.events, ...b.events].filter((e) => e.kind === 'error')).toEqual([]);
  });

  it('treats garbage in Redis as a miss and an error, then overwrites it', async () => {
    const prefix = `t:${randomUUID()}:`;
    const { cache, events } = cacheOn(prefix);
    await raw.set(`${prefix}${searchKeyHash(key)}0`, 'garbage{');
    const got = await cache.getOrCompute(key, compute().fn);
    expect(got).toEqual({ value: hits, cached: false });
    expect(events.map((e) => e.kind)).toEqual(['error', 'miss']);
    expect(events[0]!.error?.message).toMatch(/is not a vecmesh cache entry.*"garbage\{"/);
    await cache.flushWrites();
    expect((await cache.getOrCompute(key, compute().fn)).cached).toBe(true);

    // A generation that is not a number: the search still succeeds, the message says why.
    events.length = 0;
    await raw.set(`${prefix}${generationKey('docs')}`, 'abc');
    expect(await cache.getOrCompute(key, compute().fn)).toEqual({ value: hits, cached: false });
    expect(events[0]!.error?.message).toMatch(/holds .*"abc".*not a generation/);
    // A bump overwrites it with a generation (a write's invalidation is not stuck on it).
    await cache.invalidate('docs');
    expect(Number(await raw.get(`${prefix}${generationKey('docs')}`))).toBeGreaterThan(0);
    expect(cache.stats().pendingInvalidations).toBe(0);
    events.length = 0;
    await cache.getOrCompute(key, compute().fn);
    expect(events.map((e) => e.kind)).toEqual(['miss']);

    // A value of the wrong Redis type under the generation key.
    events.length = 0;
    await raw.del(`${prefix}${generationKey('docs')}`);
    await raw.rpush(`${prefix}${generationKey('docs')}`, 'x');
    expect((await cache.getOrCompute(key, compute().fn)).cached).toBe(false);
    expect(events[0]!.error?.message).toMatch(/WRONGTYPE/);
  });

  it('never throws or crashes for an unreachable or misconfigured URL, and says what is wrong', async () => {
    const closedPort = await freePort();
    const cases: [string, RegExp][] = [
      [`redis://127.0.0.1:${closedPort}`, /ECONNREFUSED/],
      ['redis://127.0.0.1:1/0', /ECONNREFUSED/],
      ['this is not a url', /`redisCacheStore\.url` must start with redis:\/\//],
      ['redis://user:secret@[::1', /`redisCacheStore\.url`/],
    ];
    for (const [badUrl, message] of cases) {
      const events: CacheEvent[] = [];
      const { cache } = cacheOn(`t:${randomUUID()}:`, badUrl, events);
      const started = performance.now();
      for (let i = 0; i < 6; i++) {
        const got = await cache.getOrCompute({ ...key, topK: i + 1 }, compute().fn);
        expect(got).toEqual({ value: hits, cached: false });
      }
      await expect(cache.invalidate('docs')).resolves.toBeUndefined();
      expect(performance.now() - started).toBeLessThan(3000);
      const errors = events.filter((e) => e.kind === 'error');
      expect(errors.length, badUrl).toBeGreaterThanOrEqual(1);
      expect(errors[0]!.error?.message, badUrl).toMatch(message);
      expect(errors.every((e) => !e.error!.message.includes('secret'))).toBe(true);
      expect(cache.stats().bypassed, badUrl).toBeGreaterThan(0); // the breaker opened
      const first = errors[0]!.error!;
      if (badUrl.startsWith('redis://127')) expect(first).toBeInstanceOf(UnavailableError);
      else expect(first).toBeInstanceOf(InvalidOptionError);
    }
  });

  it('works with a caller-owned client of ioredis 5, beside a store on ioredis 6', async () => {
    const client = new Redis5(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: 1000,
    });
    await client.connect();
    const prefix = `t:${randomUUID()}:`;
    const events: CacheEvent[] = [];
    const five = new SearchCache({ store: redisCacheStore({ client, prefix }) }, (e) =>
      events.push(e),
    );
    open.push(five);
    const six = cacheOn(prefix, url, events);
    const work = compute();
    expect((await five.getOrCompute(key, work.fn)).cached).toBe(false);
    await five.flushWrites();
    expect(await six.cache.getOrCompute(key, work.fn)).toEqual({ value: hits, cached: true });
    await six.cache.invalidate('docs');
    expect((await five.getOrCompute(key, work.fn)).cached).toBe(false);
    await five.flushWrites();
    expect(await five.getOrCompute(key, work.fn)).toEqual({ value: hits, cached: true });
    const first = await client.get(`${prefix}${generationKey('docs')}`);
    await five.invalidate('docs');
    expect(Number(await client.get(`${prefix}${generationKey('docs')}`))).toBeGreaterThan(
      Number(first),
    );
    expect(work.calls).toBe(2);
    expect(events.filter((e) => e.kind === 'error')).toEqual([]);
    await five.close();
    expect(await client.ping()).toBe('PONG'); // the caller's: not closed
    await client.quit();
  });

  it('does not close a caller-owned client', async () => {
    const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: true });
    const cache = new SearchCache({
      store: redisCacheStore({ client, prefix: `t:${randomUUID()}:` }),
    });
    await client.connect();
    await cache.getOrCompute(key, compute().fn);
    await cache.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});

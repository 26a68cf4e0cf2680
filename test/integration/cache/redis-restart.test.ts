/**
 * The cache must not serve what was overwritten, against a real Redis that is stopped and
 * started again from its RDB snapshot (its own redis-server, in its own directory, so the
 * snapshot is this file's): a restart that loses the latest bumps (the generation goes back) and
 * an invalidation that cannot reach Redis, retried in the background until another process stops
 * serving what was cached before the write. Waits are bounded polls of observable conditions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generationKey, searchKeyHash, type SearchKey } from '../../../src/cache/cache-key.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
import { SearchCache, type CacheEvent } from '../../../src/cache/search-cache.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let dir: string;
let redis: RedisServer;
let raw: Redis;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vecmesh-redis-restart-'));
  redis = await startRedisServer({ dir });
  raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  raw.on('error', () => undefined); // it reconnects by itself after each restart
  await raw.connect();
});

const open: SearchCache[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  raw.disconnect();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const key: SearchKey = {
  collection: 'docs',
  epoch: 1,
  vectors: [new Float32Array([1, 2])],
  topK: 3,
  offset: 0,
  includePayload: false,
  includeVector: false,
};

/** A cache (one application process, in effect) on this file's Redis. */
function cacheOn(prefix: string): { cache: SearchCache; events: CacheEvent[] } {
  const events: CacheEvent[] = [];
  const cache = new SearchCache(
    {
      store: redisCacheStore({
        url: redis.url,
        prefix,
        commandTimeoutMs: 500,
        maxReconnectDelayMs: 100,
      }),
      breaker: { consecutiveFailures: 3, resetTimeoutMs: 100 },
      invalidationRetry: { initialDelayMs: 50, maxDelayMs: 200 },
    },
    (e) => events.push(e),
  );
  open.push(cache);
  return { cache, events };
}

/** Polls `condition` every 20 ms until it holds, for at most 15 s. */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Looks `k` up until the lookup went through the store (a `hit` or a `miss`, not an error or a
 * bypass while the connection comes back), and returns that answer; every answer on the way is
 * checked against `stale`.
 */
async function lookupThroughStore(
  cache: SearchCache,
  events: CacheEvent[],
  k: SearchKey,
  fresh: string,
  stale: string,
): Promise<{ value: unknown; cached: boolean }> {
  let answer: { value: unknown; cached: boolean } | undefined;
  await until('a lookup through the store', async () => {
    const before = events.length;
    answer = await cache.getOrCompute(k, () => Promise.resolve(fresh));
    expect(answer.value).not.toBe(stale);
    return events.slice(before).some((e) => e.kind === 'hit' || e.kind === 'miss');
  });
  return answer!;
}

/** Stops Redis and starts it again from the RDB file in its directory. */
async function restartFromSnapshot(): Promise<void> {
  await redis.stop();
  await redis.start();
  await until('the test connection back', () => raw.status === 'ready');
}

describe('Redis restarted from an older snapshot', () => {
  it('does not serve results cached before the writes it lost, in a process that saw them or a new one', async () => {
    const prefix = `t:${randomUUID()}:`;
    const genKey = `${prefix}${generationKey('docs')}`;
    const a = cacheOn(prefix); // stays up across the restart
    await a.cache.invalidate('docs');
    expect((await a.cache.getOrCompute(key, () => Promise.resolve('v0'))).cached).toBe(false);
    await a.cache.flushWrites();
    const snapshotGeneration = await raw.get(genKey);
    expect(await raw.get(`${prefix}${searchKeyHash(key)}${snapshotGeneration}`)).not.toBeNull();
    await raw.save(); // the RDB: generation G0, and v0 under it

    await a.cache.invalidate('docs'); // a write acknowledged after the snapshot
    expect(Number(await raw.get(genKey))).toBeGreaterThan(Number(snapshotGeneration));
    await restartFromSnapshot();
    // The precondition: Redis really went back, with the pre-write result under G0.
    expect(await raw.get(genKey)).toBe(snapshotGeneration);
    expect(await raw.get(`${prefix}${searchKeyHash(key)}${snapshotGeneration}`)).not.toBeNull();

    const got = await lookupThroughStore(a.cache, a.events, key, 'v1', 'v0');
    expect(got).toEqual({ value: 'v1', cached: false });
    expect(a.cache.stats().generationRollbacks).toBe(1);
    expect(a.events.some((e) => /went back from \d+ to \d+/.test(e.error?.message ?? ''))).toBe(
      true,
    );
    expect(Number(await raw.get(genKey))).toBeGreaterThan(Number(snapshotGeneration));

    // A process started after the restart finds a's fresh result, not v0.
    await a.cache.flushWrites();
    const b = cacheOn(prefix);
    expect(await lookupThroughStore(b.cache, b.events, key, 'v1', 'v0')).toEqual({
      value: 'v1',
      cached: true,
    });
  });

  it('never reissues a lost generation, under which a search in flight may store its result', async () => {
    const prefix = `t:${randomUUID()}:`;
    const genKey = `${prefix}${generationKey('docs')}`;
    const a = cacheOn(prefix);
    await raw.save(); // the RDB: no generation yet (0)
    await a.cache.invalidate('docs'); // a write after the snapshot: generation G1
    const lost = await raw.get(genKey);
    await restartFromSnapshot();
    expect(await raw.get(genKey)).toBeNull();
    // A search that read G1 before the restart stores its result under G1 after it (what its
    // cache's background write does); that result predates any write after the restart.
    await raw.set(
      `${prefix}${searchKeyHash(key)}${lost}`,
      JSON.stringify({ vm: 1, v: 'computed before the next write' }),
      'EX',
      3600,
    );
    // A process that saw nothing writes right after the restart, then searches.
    const b = cacheOn(prefix);
    await until('an invalidation through the restarted Redis', async () => {
      await b.cache.invalidate('docs');
      return b.cache.stats().pendingInvalidations === 0;
    });
    expect(Number(await raw.get(genKey))).toBeGreaterThan(Number(lost));
    const got = await lookupThroughStore(
      b.cache,
      b.events,
      key,
      'after the write',
      'computed before the next write',
    );
    expect(got).toEqual({ value: 'after the write', cached: false });
  });
});

describe('an invalidation that cannot reach Redis', () => {
  it('is retried in the background until another process stops serving the result cached before the write', async () => {
    const prefix = `t:${randomUUID()}:`;
    const genKey = `${prefix}${generationKey('docs')}`;
    const a = cacheOn(prefix); // writes
    const b = cacheOn(prefix); // another process, which only reads
    await lookupThroughStore(b.cache, b.events, key, 'before the write', 'none');
    await b.cache.flushWrites();
    expect(await b.cache.getOrCompute(key, () => Promise.resolve('recomputed'))).toEqual({
      value: 'before the write',
      cached: true,
    });
    await raw.save(); // so that the result survives the outage, as with AOF or a short blip
    const generation = await raw.get(genKey);

    await redis.stop();
    await a.cache.invalidate('docs'); // the write is acknowledged; its bump cannot get through
    expect(a.cache.stats().pendingInvalidations).toBe(1);
    expect(a.events.some((e) => e.kind === 'error')).toBe(true);
    await redis.start();

    // No lookup through a: its background retry alone must get the bump through.
    await until('the background retry', () =>
      a.events.some((e) => e.kind === 'invalidation-retried'),
    );
    expect(a.cache.stats().pendingInvalidations).toBe(0);
    expect(Number(await raw.get(genKey))).toBeGreaterThan(Number(generation));
    const got = await lookupThroughStore(
      b.cache,
      b.events,
      key,
      'after the write',
      'before the write',
    );
    expect(got).toEqual({ value: 'after the write', cached: false });
  });
});

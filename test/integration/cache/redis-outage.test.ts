/**
 * Redis goes away in the middle of a stream of searches and comes back: no search fails, the
 * errors are counted, and the cache serves hits again once Redis is back on the same port.
 * Uses its own redis-server (the shared one stays up for the other files).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchKey } from '../../../src/cache/cache-key.js';
import { redisCacheStore } from '../../../src/cache/redis-store.js';
import { SearchCache, type CacheEvent } from '../../../src/cache/search-cache.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.stop();
});

const keys: SearchKey[] = Array.from({ length: 8 }, (_, i) => ({
  collection: 'docs',
  epoch: 1,
  vectors: [new Float32Array([i, i + 1])],
  topK: 5,
  offset: 0,
  includePayload: false,
  includeVector: false,
}));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Redis outage', () => {
  it('fails no search while Redis is down and resumes serving hits when it is back', async () => {
    const events: CacheEvent[] = [];
    const cache = new SearchCache(
      {
        store: redisCacheStore({ url: redis.url, commandTimeoutMs: 100, maxReconnectDelayMs: 100 }),
        breaker: { consecutiveFailures: 3, resetTimeoutMs: 150 },
      },
      (e) => events.push(e),
    );
    let searches = 0;
    let failures = 0;
    let phase: 'before' | 'down' | 'after' = 'before';
    const cachedBy = { before: 0, down: 0, after: 0 };
    const control = { stop: false };
    const stream = (async () => {
      for (let i = 0; !control.stop; i++) {
        const k = keys[i % keys.length]!;
        try {
          const got = await cache.getOrCompute(k, () =>
            Promise.resolve([[{ id: i % keys.length, score: 1 }]]),
          );
          expect(got.value).toEqual([[{ id: i % keys.length, score: 1 }]]);
          if (got.cached) cachedBy[phase]++;
        } catch {
          failures++;
        }
        searches++;
        await sleep(2);
      }
    })();

    await sleep(300);
    phase = 'down';
    await redis.stop();
    await sleep(800);
    const errorsWhileDown = cache.stats().errors;
    await redis.start();
    phase = 'after';
    const deadline = Date.now() + 10_000;
    while (cachedBy.after < 20 && Date.now() < deadline) await sleep(50);
    control.stop = true;
    await stream;
    await cache.close();

    expect(failures).toBe(0);
    expect(searches).toBeGreaterThan(100);
    expect(cachedBy.before).toBeGreaterThan(0);
    expect(errorsWhileDown).toBeGreaterThan(0);
    expect(cache.stats().bypassed).toBeGreaterThan(0);
    expect(cachedBy.after).toBeGreaterThanOrEqual(20);
    expect(cache.stats().breakerState).toBe('closed');
    const messages = events.filter((e) => e.kind === 'error').map((e) => e.error!.message);
    expect(messages.some((m) => m.includes(redis.url))).toBe(true);
  });
});

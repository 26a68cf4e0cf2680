/**
 * Through the mesh: Redis stops in the middle of a stream of searches and comes back. No search
 * fails, the cache errors are counted, and hits resume once Redis is back on the same port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import {
  createMesh,
  noopMetrics,
  redisCacheStore,
  type CacheResult,
  type MetricsSink,
} from '../../../src/index.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describe('the mesh while its Redis cache is down', () => {
  it('fails no search, counts the errors, and caches again when Redis is back', async () => {
    const seen: Record<CacheResult, number> = { hit: 0, miss: 0, error: 0, skip: 0 };
    const metrics: MetricsSink = {
      ...noopMetrics,
      cache: (result) => {
        seen[result]++;
      },
    };
    const mesh = createMesh({
      clusters: [{ name: 'c', shards: [{ replicas: [{ backend: memoryBackend() }] }] }],
      cache: {
        store: redisCacheStore({ url: redis.url, commandTimeoutMs: 100, maxReconnectDelayMs: 100 }),
      },
      metrics,
    });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    await docs.upsert(Array.from({ length: 50 }, (_, i) => ({ id: i, vector: [i, 1] })));
    const queries = Array.from({ length: 5 }, (_, i) => [[i, 0]]);
    let failed = 0;
    let done = 0;
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        try {
          const { hits } = await docs.search({ vectors: queries[i % queries.length]!, topK: 3 });
          expect(hits[0]).toHaveLength(3);
        } catch {
          failed++;
        }
        done++;
      }
    };

    await run(100);
    const hitsBefore = seen.hit;
    await redis.stop();
    await run(200);
    const errorsWhileDown = seen.error;
    await redis.start();
    // Bounded: the cache's breaker lets a probe through after its reset time (100 ms) and the
    // client reconnects, then hits resume; searches keep flowing meanwhile, a round every 20 ms.
    for (let round = 0; round < 250 && seen.hit === hitsBefore; round++) {
      await run(5);
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
    }
    await mesh.close();

    expect(failed).toBe(0);
    expect(hitsBefore).toBeGreaterThan(0);
    expect(errorsWhileDown).toBeGreaterThan(0);
    expect(seen.hit).toBeGreaterThan(hitsBefore);
    expect(done).toBeGreaterThan(300);
  });
});

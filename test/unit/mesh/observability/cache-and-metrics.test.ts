/** The search cache and the metrics sink, wired into the mesh. */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCacheStore, prometheusMetrics, type Mesh } from '../../../../src/index.js';
import { faultyMesh, somePoints } from '../../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const query = { vectors: [[1, 2, 3, 4]], topK: 3 };

function searches(fx: Awaited<ReturnType<typeof faultyMesh>>): number {
  return fx.backends.flat(2).reduce((n, b) => n + (b.stats.byMethod.search ?? 0), 0);
}

describe('search cache in the mesh', () => {
  it('serves a repeated search from the cache and forgets it after a write', async () => {
    const fx = await faultyMesh(
      { shards: 2, replicas: 1 },
      { cache: { store: memoryCacheStore() } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(20));
    const first = await docs.search(query);
    const asked = searches(fx);
    expect(await docs.search(query)).toEqual(first);
    expect(searches(fx)).toBe(asked);

    await docs.upsert([{ id: 'new', vector: [1, 2, 3, 4] }]);
    const after = await docs.search(query);
    expect(searches(fx)).toBeGreaterThan(asked);
    expect(after.hits[0]!.map((h) => h.id)).toContain('new');
  });

  it('passes invalidationRetry to the cache, validated when the mesh is created', async () => {
    await expect(
      faultyMesh(
        { shards: 1, replicas: 1 },
        { cache: { invalidationRetry: { initialDelayMs: 500, maxDelayMs: 100 } } },
      ),
    ).rejects.toThrow(/`cache\.invalidationRetry\.maxDelayMs` must be at least/);
    const fx = await faultyMesh(
      { shards: 1, replicas: 1 },
      { cache: { invalidationRetry: { initialDelayMs: 10, maxDelayMs: 20 } } },
    );
    open.push(fx.mesh);
  });

  it('keeps tenants, filters and partial answers apart', async () => {
    const fx = await faultyMesh({ shards: 2, replicas: 1 }, { cache: {} });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(20));
    await docs.search(query, { tenant: 'a' });
    let asked = searches(fx);
    await docs.search(query, { tenant: 'b' });
    expect(searches(fx)).toBeGreaterThan(asked);
    asked = searches(fx);
    await docs.search({ ...query, filter: { n: { $gte: 5 } } }, { tenant: 'a' });
    expect(searches(fx)).toBeGreaterThan(asked);
    asked = searches(fx);
    // Searches that may return a partial answer never use the cache.
    await docs.search(query, { tenant: 'a', partialResults: 'allow' });
    expect(searches(fx)).toBeGreaterThan(asked);
  });
});

describe('metrics in the mesh', () => {
  it('counts operations, replica calls, retries, cache results and topology size', async () => {
    const registry = new Registry();
    const fx = await faultyMesh(
      { shards: 2, replicas: 2 },
      {
        metrics: prometheusMetrics({ registry }),
        cache: {},
        retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
      },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(10));
    await docs.search(query);
    await docs.search(query); // from the cache
    fx.backends[0]![0]![0]!.partition();
    fx.backends[0]![0]![1]!.partition();
    await expect(docs.count()).rejects.toThrow();
    const text = await registry.metrics();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/vecmesh_requests_total\{operation="upsert",outcome="ok"\} (\d+)/)).toBe(1);
    expect(value(/vecmesh_requests_total\{operation="search",outcome="ok"\} (\d+)/)).toBe(2);
    expect(value(/vecmesh_requests_total\{operation="count",outcome="error"\} (\d+)/)).toBe(1);
    expect(value(/vecmesh_cache_requests_total\{result="hit"\} (\d+)/)).toBe(1);
    expect(value(/vecmesh_cache_requests_total\{result="miss"\} (\d+)/)).toBe(1);
    expect(value(/vecmesh_retries_total\{operation="count"\} (\d+)/)).toBeGreaterThan(0);
    expect(value(/vecmesh_topology_replicas (\d+)/)).toBe(4);
    expect(value(/vecmesh_topology_shards (\d+)/)).toBe(2);
    expect(text).toMatch(
      /vecmesh_replica_requests_total\{cluster="c0",shard="s0",replica="c0\/s0\/r0",backend="memory",outcome="error"\} \d+/,
    );
    // Labels come from the topology and fixed words only: no ids, no collection names.
    expect(text).not.toMatch(/docs|p0/);
  });
});

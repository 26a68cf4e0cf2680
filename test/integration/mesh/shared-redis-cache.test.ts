/**
 * Two meshes (two application processes, in effect) over the same backends and one real Redis:
 * a write through either invalidates the other's cached searches, and cached results never cross
 * collections.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { createMesh, redisCacheStore, type Mesh } from '../../../src/index.js';
import { FaultyBackend } from '../../../src/testing/index.js';

const url = inject('redisUrl');
const meshes: Mesh[] = [];
afterAll(async () => {
  await Promise.all(meshes.map((m) => m.close()));
});

describe('a result cache shared through Redis', () => {
  it('is invalidated in every mesh by a write through any of them', async () => {
    const backends = [new FaultyBackend(memoryBackend()), new FaultyBackend(memoryBackend())];
    const prefix = `vecmesh-test-${randomUUID()}:`;
    const make = () =>
      createMesh({
        clusters: [{ name: 'c', shards: backends.map((backend) => ({ replicas: [{ backend }] })) }],
        cache: { store: redisCacheStore({ url, prefix, commandTimeoutMs: 500 }) },
      });
    const a = make();
    const b = make();
    meshes.push(a, b);
    await a.connect();
    await b.connect();
    const docsA = await a.createCollection('docs', { dimension: 2, metric: 'l2' });
    const docsB = b.collection('docs');
    await docsA.upsert([{ id: 'x', vector: [1, 0] }]);
    const searches = () => backends.reduce((n, f) => n + (f.stats.byMethod.search ?? 0), 0);
    const query = { vectors: [[0, 1]], topK: 5 };

    const first = await docsB.search(query);
    expect(first.hits[0]!.map((h) => h.id)).toEqual(['x']);
    // The cache stores in the background; within a few searches both meshes answer from it.
    let asked = -1;
    for (let i = 0; i < 20 && searches() !== asked; i++) {
      asked = searches();
      await docsA.search(query);
      await docsB.search(query);
    }
    expect(searches()).toBe(asked);

    // A write through A: B must not serve the old answer.
    await docsA.upsert([{ id: 'y', vector: [0, 1] }]);
    const after = await docsB.search(query);
    expect(after.hits[0]!.map((h) => h.id)).toEqual(['y', 'x']);

    // Another collection with the same query never sees docs' results.
    const other = await b.createCollection('other', { dimension: 2, metric: 'l2' });
    expect((await other.search(query)).hits[0]).toEqual([]);
  });
});

/**
 * The mesh on Milvus Lite: three shards on ONE server through replica namespaces, compared with
 * one unsharded Milvus collection and with the memory backend, all with exact (FLAT) search.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { milvusBackend, type MilvusBackend } from '../../../src/backends/milvus/index.js';
import { createMesh, type Mesh, type Point } from '../../../src/index.js';
import { seededRandom } from '../../../src/testing/index.js';

const DIMENSION = 8;
const COUNT = 300;
const run = `m${process.pid.toString(36)}`;

function points(): Point[] {
  const random = seededRandom(42);
  return Array.from({ length: COUNT }, (_, i) => ({
    id: i % 3 === 0 ? `doc-${i}` : i,
    vector: Array.from({ length: DIMENSION }, () => random() * 2 - 1),
    payload: { group: i % 4, tag: i % 2 === 0 ? 'even' : 'odd' },
  }));
}

let milvus: MilvusBackend;
let sharded: Mesh;
let single: Mesh;
let memory: Mesh;

beforeAll(async () => {
  milvus = milvusBackend({ address: inject('milvusAddress'), index: { type: 'FLAT' } });
  sharded = createMesh({
    clusters: [
      {
        name: 'milvus',
        shards: ['s0', 's1', 's2'].map((ns) => ({
          replicas: [{ backend: milvus, namespace: `${run}${ns}` }],
        })),
      },
    ],
  });
  single = createMesh({
    clusters: [
      { name: 'one', shards: [{ replicas: [{ backend: milvus, namespace: `${run}all` }] }] },
    ],
  });
  memory = createMesh({
    clusters: [{ name: 'mem', shards: [{ replicas: [{ backend: memoryBackend() }] }] }],
  });
  for (const mesh of [sharded, single, memory]) {
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
    await docs.upsert(points());
  }
});

afterAll(async () => {
  for (const mesh of [sharded, single]) await mesh.dropCollection('docs');
  for (const mesh of [sharded, single, memory]) await mesh.close();
});

describe('a mesh of three shards on one Milvus Lite server', () => {
  it('stores each shard in its own physical collection', async () => {
    const names = await milvus.listCollections();
    const counts = await Promise.all(
      ['s0', 's1', 's2'].map(async (ns) => {
        expect(names).toContain(`${run}${ns}__docs`);
        return (await milvus.describeCollection(`${run}${ns}__docs`)).count;
      }),
    );
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(COUNT);
  });

  it('sharded search equals single-index search (Milvus and memory)', async () => {
    const random = seededRandom(7);
    for (let q = 0; q < 5; q++) {
      const vector = Array.from({ length: DIMENSION }, () => random() * 2 - 1);
      for (const filter of [undefined, { tag: 'even' }, { group: { $in: [1, 3] } }]) {
        const request = {
          vectors: [vector],
          topK: 10,
          ...(filter === undefined ? {} : { filter }),
        };
        const [a, b, c] = await Promise.all(
          [sharded, single, memory].map((m) => m.collection('docs').search(request)),
        );
        const ids = (r: typeof a) => r!.hits[0]!.map((h) => h.id);
        expect(ids(a)).toHaveLength(10);
        expect(ids(a)).toEqual(ids(b));
        expect(ids(a)).toEqual(ids(c));
        a!.hits[0]!.forEach((hit, i) => {
          expect(Math.abs(hit.score - c!.hits[0]![i]!.score)).toBeLessThan(1e-4);
        });
      }
    }
  });

  it('upsert, get, count and delete through the mesh', async () => {
    const docs = sharded.collection('docs');
    expect(await docs.count()).toBe(COUNT);
    expect(await docs.count({ filter: { tag: 'even' } })).toBe(COUNT / 2);
    await docs.upsert([{ id: 'extra', vector: new Array(DIMENSION).fill(0.5), payload: { x: 1 } }]);
    expect(await docs.count()).toBe(COUNT + 1);
    const got = await docs.get(['extra', 1, 'doc-0', 'missing']);
    expect(got.map((p) => p.id).sort()).toEqual([1, 'doc-0', 'extra'].sort());
    await docs.delete(['extra', 1]);
    expect(await docs.count()).toBe(COUNT - 1);
    expect(await docs.get(['extra', 1])).toEqual([]);
    await docs.upsert(points().filter((p) => p.id === 1));
    expect(await docs.count()).toBe(COUNT);
  });
});

/**
 * Property: sharding is invisible to exact search. For random data, metric, k, shard count and
 * strategy, the mesh returns the same top-k as one memory backend holding everything: the same
 * scores in the same order, and the same ids except where equal scores make the order arbitrary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { createMesh, type Hit, type Metric, type ShardingOptions } from '../../../src/index.js';

const strategyArb = fc.constantFrom<ShardingOptions['strategy']>(
  'hash',
  'consistent-hash',
  'jump',
  'rendezvous',
  'range',
);

function sharding(
  strategy: ShardingOptions['strategy'],
  shards: number,
  n: number,
): ShardingOptions {
  // A range map needs at least one boundary, so two shards or more.
  if (strategy === 'range' && shards > 1) {
    return {
      strategy,
      boundaries: Array.from(
        { length: shards - 1 },
        (_, i) => ((i + 1) * Math.max(n, shards)) / shards - 0.25,
      ),
    };
  }
  return { strategy: strategy === 'range' ? 'hash' : strategy };
}

/** Same scores in order; ids equal per score group, the cut-off group a subset of the full group. */
function expectSameUpToTies(actual: Hit[], expected: Hit[], wider: Hit[]): void {
  expect(actual.map((h) => h.score)).toEqual(expected.map((h) => h.score));
  const groups = new Map<number, Set<string>>();
  for (const hit of wider) {
    const set = groups.get(hit.score) ?? new Set<string>();
    set.add(String(hit.id));
    groups.set(hit.score, set);
  }
  for (const hit of actual) expect(groups.get(hit.score)?.has(String(hit.id))).toBe(true);
  expect(new Set(actual.map((h) => String(h.id))).size).toBe(actual.length);
}

describe('sharded exact search equals single-index search', () => {
  it('for random data, metrics, k, shard counts and strategies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          dimension: fc.integer({ min: 1, max: 6 }),
          count: fc.integer({ min: 1, max: 80 }),
          metric: fc.constantFrom<Metric>('cosine', 'ip', 'l2'),
          k: fc.integer({ min: 1, max: 30 }),
          offset: fc.integer({ min: 0, max: 5 }),
          shards: fc.integer({ min: 1, max: 6 }),
          strategy: strategyArb,
          values: fc.array(fc.integer({ min: -3, max: 3 }), {
            minLength: 6 * 81,
            maxLength: 6 * 81,
          }),
        }),
        async ({ dimension, count, metric, k, offset, shards, strategy, values }) => {
          // Small integers make exact ties common, which is the interesting case for merging.
          const vec = (i: number) => {
            const v: number[] = values.slice(i * dimension, (i + 1) * dimension);
            if (metric === 'cosine' && !v.some((x) => x !== 0)) v[0] = 1;
            return v;
          };
          const points = Array.from({ length: count }, (_, i) => ({
            id: i,
            vector: vec(i),
            payload: { i },
          }));
          const query = vec(count);

          const single = memoryBackend();
          await single.connect();
          await single.createCollection('c', { dimension, metric });
          await single.upsert('c', points);
          const request = {
            vectors: [Float32Array.from(query)],
            includePayload: false,
            includeVector: false,
          };
          const expected = (await single.search('c', { ...request, topK: k + offset }))[0]!.slice(
            offset,
          );
          const wider = (await single.search('c', { ...request, topK: count }))[0]!;

          const mesh = createMesh({
            clusters: [
              {
                name: 'p',
                shards: Array.from({ length: shards }, () => ({
                  replicas: [{ backend: memoryBackend() }],
                })),
              },
            ],
            sharding: sharding(strategy, shards, count),
          });
          await mesh.connect();
          const col = await mesh.createCollection('c', { dimension, metric });
          await col.upsert(points);
          const { hits } = await col.search({
            vectors: [query],
            topK: k,
            offset,
            includePayload: false,
          });
          await mesh.close();
          expectSameUpToTies(hits[0]!, expected, wider);
        },
      ),
      { numRuns: 200, seed: 20261127 },
    );
  });
});

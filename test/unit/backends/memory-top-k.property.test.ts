/**
 * Property: the memory backend's heap-based top-k equals a brute-force full sort of every
 * score (same ids, same order, same scores), for random data, metrics, filters and k.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import { matchesFilter, parseFilter } from '../../../src/core/filter.js';
import { METRICS, type Metric, type PointId } from '../../../src/core/types.js';
import { compareHits, score } from '../../../src/core/vector.js';

interface Case {
  metric: Metric;
  dimension: number;
  vectors: number[][];
  queries: number[][];
  groups: number[];
  wanted: number[] | undefined;
  topK: number;
}

// Small integer entries make equal scores common, so the tie-break is exercised.
const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    metric: fc.constantFrom(...METRICS),
    dimension: fc.integer({ min: 1, max: 6 }),
    count: fc.integer({ min: 0, max: 60 }),
    queryCount: fc.integer({ min: 1, max: 3 }),
    topK: fc.integer({ min: 1, max: 70 }),
    wanted: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1 }), {
      nil: undefined,
    }),
  })
  .chain(({ metric, dimension, count, queryCount, topK, wanted }) => {
    const entry = fc.integer({ min: -3, max: 3 });
    const vector = fc.array(entry, { minLength: dimension, maxLength: dimension });
    return fc.record({
      metric: fc.constant(metric),
      dimension: fc.constant(dimension),
      vectors: fc.array(vector, { minLength: count, maxLength: count }),
      queries: fc.array(vector, { minLength: queryCount, maxLength: queryCount }),
      groups: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: count, maxLength: count }),
      wanted: fc.constant(wanted),
      topK: fc.constant(topK),
    });
  });

/** Cosine has no direction for a zero vector; nudge it. */
const usable = (v: number[], metric: Metric): number[] =>
  metric === 'cosine' && v.every((x) => x === 0) ? [1, ...v.slice(1)] : v;

const idOf = (i: number): PointId => (i % 2 === 0 ? i : `p${i}`);

describe('MemoryBackend top-k', () => {
  it('equals a brute-force full sort of all scores', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const backend = memoryBackend();
        await backend.connect();
        try {
          await backend.createCollection('c', { dimension: c.dimension, metric: c.metric });
          const vectors = c.vectors.map((v) => usable(v, c.metric));
          await backend.upsert(
            'c',
            vectors.map((vector, i) => ({ id: idOf(i), vector, payload: { g: c.groups[i]! } })),
          );
          const filter = parseFilter(c.wanted === undefined ? undefined : { g: { $in: c.wanted } });
          const queries = c.queries.map((q) => Float32Array.from(usable(q, c.metric)));
          const lists = await backend.search('c', {
            vectors: queries,
            topK: c.topK,
            ...(filter === undefined ? {} : { filter }),
            includePayload: false,
            includeVector: false,
          });
          expect(lists).toHaveLength(queries.length);
          queries.forEach((q, qi) => {
            const expected = vectors
              .map((v, i) => ({ id: idOf(i), v, g: c.groups[i]! }))
              .filter((p) => matchesFilter(filter, { g: p.g }))
              .map((p) => ({ id: p.id, score: score(c.metric, q, Float32Array.from(p.v)) }))
              .sort(compareHits(c.metric))
              .slice(0, c.topK);
            expect(lists[qi]).toEqual(expected);
          });
        } finally {
          await backend.close();
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../../src/core/filter.js';
import type { Metric } from '../../../src/core/types.js';
import {
  bruteForce,
  cleanUpAfterEach,
  open,
  pointsOf,
  randomVectors,
  request,
} from './store-fixture.js';

cleanUpAfterEach();

const METRICS: Metric[] = ['cosine', 'ip', 'l2'];
const N = 2000;
const DIM = 32;
const data = randomVectors(N, DIM, 7);
const points = pointsOf(data).map((p, i) => ({ ...p, vector: data[i]! }));
const queries = randomVectors(50, DIM, 99);

describe('node store: search', () => {
  it.each(METRICS)('%s: exact search equals brute force, scores included', async (metric) => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric });
    await store.upsert('c', points);
    const lists = store.search('c', request(queries.slice(0, 10), 10, { exact: true }));
    lists.forEach((hits, q) => {
      const expected = bruteForce(metric, points, queries[q]!, 10);
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      hits.forEach((h, i) => {
        expect(h.score).toBe(expected[i]!.score);
      });
    });
  });

  it.each(METRICS)('%s: HNSW recall@10 at the default ef is at least 0.95', async (metric) => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric });
    await store.upsert('c', points);
    const lists = store.search('c', request(queries, 10));
    let found = 0;
    lists.forEach((hits, q) => {
      const truth = new Set(bruteForce(metric, points, queries[q]!, 10).map((h) => h.id));
      found += hits.filter((h) => truth.has(h.id)).length;
      // Hits from the graph are rescored exactly: same scores as a brute-force scan.
      const exact = new Map(bruteForce(metric, points, queries[q]!, N).map((h) => [h.id, h.score]));
      for (const h of hits) expect(h.score).toBe(exact.get(h.id));
    });
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95);
  });

  it('a larger ef than the index default is honoured (recall does not drop)', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric: 'l2', index: { m: 4 } });
    await store.upsert('c', points);
    const recall = (ef?: number): number => {
      const lists = store.search('c', request(queries, 10, ef === undefined ? {} : { ef }));
      let found = 0;
      lists.forEach((hits, q) => {
        const truth = new Set(bruteForce('l2', points, queries[q]!, 10).map((h) => h.id));
        found += hits.filter((h) => truth.has(h.id)).length;
      });
      return found / (10 * queries.length);
    };
    const base = recall();
    const wide = recall(400);
    expect(wide).toBeGreaterThanOrEqual(base);
    // The graph comes from usearch's multi-threaded inserts and varies from build to build: a
    // sparse m=4 graph gave 0.976 once under CI load, so the floor leaves room for that.
    expect(wide).toBeGreaterThanOrEqual(0.95);
  });

  it('upsert replaces: the graph never returns the old vector', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric: 'l2' });
    await store.upsert('c', points);
    const target = data[5]!;
    expect(store.search('c', request([target], 1))[0]![0]).toMatchObject({ id: 5, score: 0 });
    const moved = Float32Array.from(data[6]!, (x) => x + 0.001);
    await store.upsert('c', [{ id: 5, vector: moved, payload: { moved: true } }]);
    const [hits] = store.search('c', request([target], 10, { includePayload: true }));
    const five = hits!.find((h) => h.id === 5);
    if (five !== undefined) expect(five.score).toBeGreaterThan(0);
    expect(hits![0]!.score).toBeGreaterThan(0);
    const [near] = store.search('c', request([moved], 2, { includePayload: true }));
    expect(near![0]).toMatchObject({ id: 5, payload: { moved: true } });
    expect(store.describeCollection('c').count).toBe(N);
  });

  it('a filtered search returns only matching points; with exact, the true top-k', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric: 'cosine' });
    await store.upsert('c', points);
    const cases = [
      { even: true },
      { group: 'g3' },
      { i: { $lt: 40 } },
      { group: { $in: ['g1', 'g2'] } },
    ];
    for (const raw of cases) {
      const filter = parseFilter(raw)!;
      const matching = points.filter((p) => matchesFilter(filter, p.payload));
      const approximate = store.search(
        'c',
        request(queries.slice(0, 5), 10, { filter, includePayload: true }),
      );
      const exact = store.search('c', request(queries.slice(0, 5), 10, { filter, exact: true }));
      approximate.forEach((hits, q) => {
        expect(hits).toHaveLength(10);
        for (const h of hits) expect(matchesFilter(filter, h.payload)).toBe(true);
        const truth = bruteForce('cosine', matching, queries[q]!, 10);
        expect(exact[q]!.map((h) => h.id)).toEqual(truth.map((h) => h.id));
        const truthIds = new Set(truth.map((h) => h.id));
        expect(hits.filter((h) => truthIds.has(h.id)).length).toBeGreaterThanOrEqual(8);
      });
    }
    const none = parseFilter({ group: 'nope' });
    expect(store.search('c', request([queries[0]!], 5, { filter: none }))).toEqual([[]]);
    expect(store.count('c', parseFilter({ even: true }))).toBe(N / 2);
  });

  it('a flat index always searches exactly', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: DIM, metric: 'ip', index: { type: 'flat' } });
    await store.upsert('c', points);
    expect(store.describeCollection('c').index).toEqual({ type: 'flat' });
    const lists = store.search('c', request(queries.slice(0, 5), 20));
    lists.forEach((hits, q) => {
      expect(hits).toEqual(bruteForce('ip', points, queries[q]!, 20));
    });
  });

  it('answers one list per query in order, and carries payloads and vectors on request', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 2, metric: 'l2' });
    await store.upsert('c', [
      { id: 'a', vector: [0, 0], payload: { n: 1 } },
      { id: 'b', vector: [1, 1] },
    ]);
    const lists = store.search(
      'c',
      request([Float32Array.of(0, 0), Float32Array.of(1, 1), Float32Array.of(5, 5)], 5, {
        includePayload: true,
        includeVector: true,
      }),
    );
    expect(lists[0]).toEqual([
      { id: 'a', score: 0, payload: { n: 1 }, vector: [0, 0] },
      { id: 'b', score: 2, payload: {}, vector: [1, 1] },
    ]);
    expect(lists[1]![0]!.id).toBe('b');
    expect(lists[2]!.map((h) => h.id)).toEqual(['b', 'a']);
  });
});

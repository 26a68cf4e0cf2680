/**
 * Conformance: search under each metric, and every filter operator.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidFilterError } from '../../src/core/errors.js';
import { f32, uniqueName, type ConformanceContext } from './context.js';
import {
  ARRAY_FILTER_CASES,
  ARRAY_FILTER_POINTS,
  FILTER_CASES,
  FILTER_POINTS,
  STRING_RANGE_CASES,
  STRING_RANGE_POINTS,
} from './fixtures.js';

/** Conformance: search under each metric, and every filter operator. */
export function describeSearchCases(ctx: ConformanceContext): void {
  const { backend, collection, search, expectRanking, upsertLabelled, expectFilterCase } = ctx;

  describe('search', () => {
    it('cosine: similarity of the original vectors, best first', async () => {
      const name = await collection({ dimension: 4, metric: 'cosine' });
      await backend().upsert(name, [
        { id: 'a', vector: [3, 0, 0, 0] },
        { id: 'b', vector: [2, 2, 0, 0] },
        { id: 'c', vector: [0, 5, 0, 0] },
        { id: 'd', vector: [-4, 0, 0, 3] },
        { id: 'e', vector: [3, 0, 4, 0] },
      ]);
      const [hits] = await search(name, [f32(2, 0, 0, 0)], 5);
      expectRanking(hits!, [
        ['a', 1],
        ['b', Math.SQRT1_2],
        ['e', 0.6],
        ['c', 0],
        ['d', -0.8],
      ]);
    });

    it('ip: dot product, highest first', async () => {
      const name = await collection({ dimension: 4, metric: 'ip' });
      await backend().upsert(name, [
        { id: 1, vector: [1, 1, 1, 1] },
        { id: 2, vector: [3, 0, 0, 0] },
        { id: 3, vector: [0, 0, 0, 2] },
        { id: 4, vector: [0.5, 2, 9, 0] },
      ]);
      const [hits] = await search(name, [f32(1, 2, 0, -1)], 4);
      expectRanking(hits!, [
        [4, 4.5],
        [2, 3],
        [1, 2],
        [3, -2],
      ]);
    });

    it('l2: squared Euclidean distance, nearest first', async () => {
      const name = await collection({ dimension: 4, metric: 'l2' });
      await backend().upsert(name, [
        { id: 'p1', vector: [1, 0, 0, 0] },
        { id: 'p2', vector: [1, 2, 0, 0] },
        { id: 'p3', vector: [0, 0, 0, 0] },
        { id: 'p4', vector: [4, 0, 0, 1] },
      ]);
      const [hits] = await search(name, [f32(1, 0, 0, 0)], 3);
      expectRanking(hits!, [
        ['p1', 0],
        ['p3', 1],
        ['p2', 4],
      ]);
    });

    it('answers every point when topK exceeds the count, and nothing on an empty collection', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      expect(await search(name, [f32(0, 0)], 10)).toEqual([[]]);
      await backend().upsert(name, [
        { id: 'a', vector: [1, 0] },
        { id: 'b', vector: [2, 0] },
      ]);
      const [hits] = await search(name, [f32(0, 0)], 1000);
      expectRanking(hits!, [
        ['a', 1],
        ['b', 4],
      ]);
    });

    it('answers one list per query vector, in order', async () => {
      const name = await collection({ dimension: 4, metric: 'cosine' });
      await backend().upsert(name, [
        { id: 'a', vector: [3, 0, 0, 0] },
        { id: 'b', vector: [2, 2, 0, 0] },
        { id: 'c', vector: [0, 5, 0, 0] },
        { id: 'd', vector: [-4, 0, 0, 3] },
      ]);
      const lists = await search(name, [f32(2, 0, 0, 0), f32(0, 1, 0, 0.5), f32(-1, 0, 0, 0)], 3);
      expect(lists).toHaveLength(3);
      expectRanking(lists[0]!, [
        ['a', 1],
        ['b', Math.SQRT1_2],
        ['c', 0],
      ]);
      expectRanking(lists[1]!, [
        ['c', 2 / Math.sqrt(5)],
        ['b', 2 / (Math.SQRT2 * Math.sqrt(5))],
        ['d', 1.5 / (5 * Math.sqrt(1.25))],
      ]);
      expect(lists[2]![0]).toMatchObject({ id: 'd' });
    });

    it('includePayload and includeVector control what hits carry', async () => {
      const name = await collection({ dimension: 2, metric: 'ip' });
      await backend().upsert(name, [
        { id: 'a', vector: [1, 0.5], payload: { title: 'A', n: [1, 2] } },
        { id: 'b', vector: [0.25, 1] },
      ]);
      const [bare] = await search(name, [f32(1, 0)], 2);
      expect(bare!.every((h) => h.payload === undefined && h.vector === undefined)).toBe(true);
      const [full] = await search(name, [f32(1, 0)], 2, {
        includePayload: true,
        includeVector: true,
      });
      expect(full![0]).toMatchObject({
        id: 'a',
        payload: { title: 'A', n: [1, 2] },
        vector: [1, 0.5],
      });
      expect(full![1]).toMatchObject({ id: 'b', payload: {}, vector: [0.25, 1] });
      const [payloadOnly] = await search(name, [f32(1, 0)], 1, { includePayload: true });
      expect(payloadOnly![0]!.vector).toBeUndefined();
      expect(payloadOnly![0]!.payload).toEqual({ title: 'A', n: [1, 2] });
    });

    it('a filtered search returns only matching points, best first', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await upsertLabelled(name, FILTER_POINTS);
      const [hits] = await search(name, [f32(0, 0)], 2, { filter: { lang: 'en' } });
      expect(hits!.map((h) => h.id)).toEqual(['a', 'c']);
    });
  });

  describe('filters', () => {
    let name = '';
    beforeAll(async () => {
      name = uniqueName();
      await backend().createCollection(name, { dimension: 2, metric: 'l2' });
      await upsertLabelled(name, FILTER_POINTS);
    });
    afterAll(async () => {
      await backend().dropCollection(name);
    });

    it.each(FILTER_CASES.map((c) => [JSON.stringify(c.filter), c] as const))(
      '%s',
      async (_title, c) => {
        await expectFilterCase(name, c);
      },
    );

    it('scalar operators never match arrays or objects', async () => {
      const other = await collection({ dimension: 2, metric: 'l2' });
      await upsertLabelled(other, ARRAY_FILTER_POINTS);
      for (const c of ARRAY_FILTER_CASES) await expectFilterCase(other, c);
    });

    it('string ranges compare by UTF-16 code units, and never match numbers', async () => {
      const other = await collection({ dimension: 2, metric: 'l2' });
      await upsertLabelled(other, STRING_RANGE_POINTS);
      for (const c of STRING_RANGE_CASES) {
        if (ctx.options.stringRanges === 'refused') {
          await expect(
            search(other, [f32(0, 0)], 10, { filter: c.filter }),
            JSON.stringify(c.filter),
          ).rejects.toBeInstanceOf(InvalidFilterError);
        } else {
          await expectFilterCase(other, c);
        }
      }
    });
  });
}

/**
 * Conformance: collections, and writing and reading points.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import {
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
} from '../../src/core/errors.js';
import { parseFilter } from '../../src/core/filter.js';
import { f32, sortedKeys, uniqueName, type ConformanceContext } from './context.js';
import { FILTER_POINTS, ROUND_TRIP_POINTS } from './fixtures.js';

/** Conformance: collections, and writing and reading points. */
export function describeCollectionCases(ctx: ConformanceContext): void {
  const { backend, collection, search, upsertLabelled } = ctx;

  describe('collections', () => {
    it('creates a collection and describes it', async () => {
      const name = await collection({ dimension: 4, metric: 'cosine' });
      const info = await backend().describeCollection(name);
      expect(info).toMatchObject({ name, dimension: 4, metric: 'cosine', count: 0 });
      expect(await backend().listCollections()).toContain(name);
    });

    it('create is idempotent with the same dimension and metric, and keeps the data', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await backend().upsert(name, [{ id: 'a', vector: [1, 2] }]);
      await backend().createCollection(name, { dimension: 2, metric: 'l2' });
      expect((await backend().describeCollection(name)).count).toBe(1);
    });

    it('create rejects a different dimension or metric with CollectionConflictError', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await expect(
        backend().createCollection(name, { dimension: 3, metric: 'l2' }),
      ).rejects.toBeInstanceOf(CollectionConflictError);
      await expect(
        backend().createCollection(name, { dimension: 2, metric: 'ip' }),
      ).rejects.toBeInstanceOf(CollectionConflictError);
    });

    it('drops a collection, and answers false when there is none', async () => {
      const name = await collection({ dimension: 2, metric: 'ip' });
      expect(await backend().dropCollection(name)).toBe(true);
      expect(await backend().listCollections()).not.toContain(name);
      expect(await backend().dropCollection(name)).toBe(false);
      await expect(backend().describeCollection(name)).rejects.toBeInstanceOf(
        CollectionNotFoundError,
      );
    });

    it('rejects every operation on a missing collection with CollectionNotFoundError naming it', async () => {
      const name = uniqueName();
      const b = backend();
      const calls: [string, () => Promise<unknown>][] = [
        ['describeCollection', () => b.describeCollection(name)],
        ['upsert', () => b.upsert(name, [{ id: 'a', vector: [1, 2] }])],
        ['delete', () => b.delete(name, ['a'])],
        ['get', () => b.get(name, ['a'])],
        ['count', () => b.count(name)],
        ['search', () => search(name, [f32(1, 2)], 3)],
        ['scanIds', () => b.scanIds(name, { limit: 10 })],
      ];
      for (const [what, call] of calls) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, what).toBeInstanceOf(CollectionNotFoundError);
        // Named as the caller named it, whatever the backend's own words are.
        expect((err as Error).message, what).toContain(`\`${name}\``);
      }
    });
  });

  describe('points', () => {
    it('upsert then get round-trips ids, vectors and JSON payloads', async () => {
      const name = await collection({ dimension: 3, metric: 'l2' });
      await backend().upsert(name, ROUND_TRIP_POINTS);
      const ids = ROUND_TRIP_POINTS.map((p) => p.id);
      const got = await backend().get(name, ids, { includeVector: true });
      expect(sortedKeys(got.map((p) => p.id))).toEqual(sortedKeys(ids));
      for (const point of ROUND_TRIP_POINTS) {
        const back = got.find((p) => p.id === point.id);
        expect(back, String(point.id)).toBeDefined();
        expect(back!.payload).toEqual(point.payload ?? {});
        expect(back!.vector).toEqual([...point.vector]);
      }
      const bare = await backend().get(name, ids);
      expect(bare.every((p) => p.vector === undefined)).toBe(true);
    });

    it('keeps 1 and "1" apart', async () => {
      const name = await collection({ dimension: 2, metric: 'ip' });
      await backend().upsert(name, [
        { id: 1, vector: [1, 0], payload: { kind: 'number' } },
        { id: '1', vector: [0, 1], payload: { kind: 'string' } },
      ]);
      expect(await backend().count(name)).toBe(2);
      const [n] = await backend().get(name, [1]);
      const [s] = await backend().get(name, ['1']);
      expect(n).toMatchObject({ id: 1, payload: { kind: 'number' } });
      expect(s).toMatchObject({ id: '1', payload: { kind: 'string' } });
    });

    it('upsert replaces the vector and the payload of an existing id', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await backend().upsert(name, [
        { id: 'a', vector: [0, 0], payload: { v: 1, old: true } },
        { id: 'b', vector: [5, 5] },
      ]);
      await backend().upsert(name, [{ id: 'a', vector: [10, 10], payload: { v: 2 } }]);
      expect(await backend().count(name)).toBe(2);
      const [a] = await backend().get(name, ['a'], { includeVector: true });
      expect(a).toEqual({ id: 'a', vector: [10, 10], payload: { v: 2 } });
      const [hits] = await search(name, [f32(0, 0)], 2);
      expect(hits!.map((h) => h.id)).toEqual(['b', 'a']);
      await backend().upsert(name, [{ id: 'a', vector: [10, 10] }]);
      expect((await backend().get(name, ['a']))[0]!.payload).toEqual({});
    });

    it('get leaves out missing ids', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await backend().upsert(name, [{ id: 'a', vector: [1, 1] }]);
      const got = await backend().get(name, ['missing', 'a', 404]);
      expect(got.map((p) => p.id)).toEqual(['a']);
    });

    it('delete removes points and ignores missing ids', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await backend().upsert(name, [
        { id: 'a', vector: [1, 1] },
        { id: 2, vector: [2, 2] },
        { id: 'c', vector: [3, 3] },
      ]);
      await backend().delete(name, ['a', 2, 'missing', 99]);
      expect(await backend().count(name)).toBe(1);
      expect((await backend().get(name, ['a', 2, 'c'])).map((p) => p.id)).toEqual(['c']);
      await backend().delete(name, []);
      expect(await backend().count(name)).toBe(1);
    });

    it('counts every point, or those matching a filter', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      expect(await backend().count(name)).toBe(0);
      await upsertLabelled(name, FILTER_POINTS);
      expect(await backend().count(name)).toBe(FILTER_POINTS.length);
      expect(await backend().count(name, parseFilter({ lang: 'en' }))).toBe(3);
    });

    it('rejects a batch holding a vector of the wrong dimension and writes nothing', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      await expect(
        backend().upsert(name, [
          { id: 'ok', vector: [1, 2] },
          { id: 'bad', vector: [1, 2, 3] },
        ]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await backend().count(name)).toBe(0);
    });
  });
}

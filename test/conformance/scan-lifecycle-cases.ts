/**
 * Conformance: id scans, lifecycle and abort signals.
 *
 * @module
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, ClosedError, TimeoutError } from '../../src/core/errors.js';
import { idKey } from '../../src/core/ids.js';
import type { PointId } from '../../src/core/types.js';
import { f32, sortedKeys, uniqueName, type ConformanceContext } from './context.js';

/** Conformance: id scans, lifecycle and abort signals. */
export function describeScanAndLifecycleCases(ctx: ConformanceContext): void {
  const { backend, collection, makeBackend } = ctx;

  describe('scanIds', () => {
    async function scanAll(name: string, limit: number): Promise<PointId[]> {
      const seen: PointId[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const page = await backend().scanIds(
          name,
          cursor === undefined ? { limit } : { cursor, limit },
        );
        expect(page.ids.length).toBeLessThanOrEqual(limit);
        seen.push(...page.ids);
        if (page.nextCursor === undefined) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('the scan did not end after 1000 pages');
    }

    it('pages cover every id exactly once', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      const ids: PointId[] = [];
      for (let i = 0; i < 23; i++) ids.push(i % 2 === 0 ? `id-${i}` : i * 1000);
      await backend().upsert(
        name,
        ids.map((id, i) => ({ id, vector: [i, 1] })),
      );
      for (const limit of [1, 4, 23, 100]) {
        expect(sortedKeys(await scanAll(name, limit)), `limit ${limit}`).toEqual(sortedKeys(ids));
      }
    });

    it('an empty collection scans to one empty page', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      expect(await scanAll(name, 5)).toEqual([]);
    });

    it('skips no id that exists throughout, whatever is written between pages', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      const ids = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      await backend().upsert(
        name,
        ids.map((id, i) => ({ id, vector: [i, 0] })),
      );
      const first = await backend().scanIds(name, { limit: 5 });
      expect(first.nextCursor).toBeDefined();
      const seen = new Set(first.ids.map(idKey));
      const later = ids.filter((id) => !seen.has(idKey(id)));
      const deleted = [...first.ids.slice(0, 2), ...later.slice(0, 2)];
      await backend().delete(name, deleted);
      await backend().upsert(
        name,
        ['a-new', 'k05x', 'zz-new', 7].map((id) => ({ id, vector: [1, 1] })),
      );
      let cursor = first.nextCursor;
      for (let pages = 0; cursor !== undefined && pages < 100; pages++) {
        const page = await backend().scanIds(name, { cursor, limit: 5 });
        for (const id of page.ids) {
          expect(seen.has(idKey(id)), `${String(id)} seen twice`).toBe(false);
          seen.add(idKey(id));
        }
        cursor = page.nextCursor;
      }
      const deletedKeys = new Set(deleted.map(idKey));
      for (const id of ids) {
        if (!deletedKeys.has(idKey(id))) expect(seen.has(idKey(id)), id).toBe(true);
      }
    });
  });

  describe('lifecycle and signals', () => {
    it('health answers ok', async () => {
      const health = await backend().health();
      expect(health.ok).toBe(true);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    });

    it('an already aborted signal rejects with AbortedError and does nothing', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      const b = backend();
      const signal = AbortSignal.abort();
      const o = { signal };
      const calls: [string, () => Promise<unknown>][] = [
        [
          'createCollection',
          () => b.createCollection(uniqueName(), { dimension: 2, metric: 'l2' }, o),
        ],
        ['describeCollection', () => b.describeCollection(name, o)],
        ['listCollections', () => b.listCollections(o)],
        ['upsert', () => b.upsert(name, [{ id: 'a', vector: [1, 2] }], o)],
        ['delete', () => b.delete(name, ['a'], o)],
        ['get', () => b.get(name, ['a'], {}, o)],
        ['count', () => b.count(name, undefined, o)],
        [
          'search',
          () =>
            b.search(
              name,
              { vectors: [f32(1, 2)], topK: 1, includePayload: false, includeVector: false },
              o,
            ),
        ],
        ['scanIds', () => b.scanIds(name, { limit: 5 }, o)],
        ['dropCollection', () => b.dropCollection(name, o)],
      ];
      for (const [what, call] of calls) {
        await expect(call(), what).rejects.toBeInstanceOf(AbortedError);
      }
      expect(await b.count(name)).toBe(0);
    });

    it('a signal aborted for a timeout rejects with TimeoutError', async () => {
      const name = await collection({ dimension: 2, metric: 'l2' });
      const signal = AbortSignal.abort(new DOMException('deadline passed', 'TimeoutError'));
      await expect(backend().count(name, undefined, { signal })).rejects.toBeInstanceOf(
        TimeoutError,
      );
    });

    it('after close every call rejects with ClosedError, and close is idempotent', async () => {
      const own = await makeBackend();
      try {
        const b = own.backend;
        await b.connect();
        await b.connect();
        await b.close();
        await b.close();
        const calls: [string, () => Promise<unknown>][] = [
          ['health', () => b.health()],
          ['listCollections', () => b.listCollections()],
          [
            'createCollection',
            () => b.createCollection(uniqueName(), { dimension: 2, metric: 'l2' }),
          ],
          ['describeCollection', () => b.describeCollection(uniqueName())],
          ['upsert', () => b.upsert(uniqueName(), [{ id: 'a', vector: [1, 2] }])],
          ['count', () => b.count(uniqueName())],
        ];
        for (const [what, call] of calls) {
          await expect(call(), what).rejects.toBeInstanceOf(ClosedError);
        }
      } finally {
        await own.cleanup?.();
      }
    });
  });
}

/**
 * Snapshots the store takes by itself, in the background: by log size, by the age of the oldest
 * record no snapshot holds, and after a failure, again later. Each is told to `onSnapshot`; the
 * tests wait for those events (with a time limit), never for a fixed time.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import type { Point } from '../../../src/core/types.js';
import { AnnIndex } from '../../../src/node/store/ann-index.js';
import {
  DEFAULT_SNAPSHOT_EVERY_BYTES,
  DEFAULT_SNAPSHOT_MAX_AGE_MS,
  resolveStoreOptions,
  type SnapshotEvent,
} from '../../../src/node/store/index.js';
import { MANIFEST_FILE_NAME } from '../../../src/node/store/snapshot-manifest.js';
import { WAL_FILE_NAME } from '../../../src/node/store/wal-file.js';
import { walHeader } from '../../../src/node/store/wal-record.js';
import { abandon, cleanUpAfterEach, open, randomVectors, tempDir } from './store-fixture.js';

cleanUpAfterEach();

const WAIT_MS = 10_000;

const points = (from: number, n: number, dim = 8): Point[] =>
  randomVectors(n, dim, from + 1).map((vector, i) => ({ id: from + i, vector }));

/** Collects `onSnapshot` events and waits for the next one that matches. */
function snapshotEvents(): {
  readonly onSnapshot: (event: SnapshotEvent) => void;
  readonly events: SnapshotEvent[];
  next(match: (event: SnapshotEvent) => boolean): Promise<SnapshotEvent>;
} {
  const events: SnapshotEvent[] = [];
  const waiters: { match: (e: SnapshotEvent) => boolean; resolve: (e: SnapshotEvent) => void }[] =
    [];
  let seen = 0;
  return {
    events,
    onSnapshot(event) {
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    },
    next(match) {
      // Events already told since the last call count too.
      const earlier = events.slice(seen).find(match);
      seen = events.length;
      if (earlier !== undefined) return Promise.resolve(earlier);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching snapshot within ${WAIT_MS} ms`));
        }, WAIT_MS);
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            seen = events.length;
            resolve(e);
          },
        });
      });
    },
  };
}

const walSize = async (dir: string): Promise<number> => (await stat(join(dir, WAL_FILE_NAME))).size;

describe('node store: snapshots in the background', () => {
  it('by size: once the log passes snapshotEveryBytes, told to onSnapshot', async () => {
    const dir = await tempDir();
    const told = snapshotEvents();
    const { store } = await open({
      dir,
      snapshotEveryBytes: 4000,
      snapshotMaxAgeMs: 0,
      onSnapshot: told.onSnapshot,
    });
    await store.createCollection('c', { dimension: 8, metric: 'l2' });
    for (let i = 0; i < 10; i++) await store.upsert('c', points(i * 10, 10));
    const event = await told.next((e) => e.trigger === 'size');
    expect(event.error).toBeUndefined();
    expect(event.logBytes).toBeGreaterThanOrEqual(4000);
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(await readdir(dir)).toContain(MANIFEST_FILE_NAME);
    await abandon(store);
    const again = await open({ dir });
    expect(again.report.collections).toBe(1);
    expect(again.store.count('c')).toBe(100);
  });

  it('by age: a small log whose oldest record passes snapshotMaxAgeMs is snapshotted, and again after more writes', async () => {
    const dir = await tempDir();
    const told = snapshotEvents();
    const { store } = await open({ dir, snapshotMaxAgeMs: 50, onSnapshot: told.onSnapshot });
    await store.createCollection('c', { dimension: 8, metric: 'cosine' });
    await store.upsert('c', points(0, 5));
    // (Under load the create alone may be snapshotted first: then the upsert arms it again.)
    const first = await told.next((e) => e.trigger === 'age' && e.seq === 2);
    expect(first.error).toBeUndefined();
    // Far below the size threshold, and yet the log holds its header only.
    expect(first.logBytes).toBeLessThan(DEFAULT_SNAPSHOT_EVERY_BYTES);
    expect(await walSize(dir)).toBe(walHeader(2).length);

    await store.upsert('c', points(5, 5));
    await store.delete('c', [0]);
    const second = await told.next((e) => e.trigger === 'age' && e.seq === 4);
    expect(second.error).toBeUndefined();
    expect(await walSize(dir)).toBe(walHeader(4).length);
    await abandon(store);

    const again = await open({ dir });
    expect(again.report).toEqual({ collections: 1, replayed: 0, droppedBytes: 0 });
    expect(again.store.count('c')).toBe(9);
  });

  it('a failed background snapshot is told, keeps the log whole, and is tried again', async () => {
    const dir = await tempDir();
    const told = snapshotEvents();
    const { store } = await open({ dir, snapshotMaxAgeMs: 20, onSnapshot: told.onSnapshot });
    await store.createCollection('c', { dimension: 8, metric: 'l2' });
    const save = vi.spyOn(AnnIndex.prototype, 'save').mockImplementationOnce(() => {
      throw new Error('ENOSPC: disk full');
    });
    try {
      await store.upsert('c', points(0, 20));
      const failed = await told.next((e) => e.error !== undefined);
      expect(failed.trigger).toBe('age');
      expect(failed.error?.message).toMatch(/disk full/);
      const retried = await told.next((e) => e.error === undefined && e.seq === 2);
      expect(retried.trigger).toBe('age');
    } finally {
      save.mockRestore();
    }
    expect(await readdir(dir)).toContain(MANIFEST_FILE_NAME);
    await abandon(store);
    expect((await open({ dir })).store.count('c')).toBe(20);
  });

  it('a store killed while background snapshots come and go reopens with every acknowledged write', async () => {
    const dir = await tempDir();
    const told = snapshotEvents();
    const { store } = await open({
      dir,
      snapshotEveryBytes: 8000,
      snapshotMaxAgeMs: 5,
      onSnapshot: told.onSnapshot,
    });
    await store.createCollection('c', { dimension: 8, metric: 'ip' });
    const acknowledged = new Map<number, Float32Array>();
    for (let round = 0; round < 6; round++) {
      const batch = points(round * 37, 60);
      // Concurrent writes: group commits and snapshots interleave in the write lane.
      await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (k) => {
          const part = batch.slice(k * 10, k * 10 + 10);
          await store.upsert('c', part);
          for (const p of part) acknowledged.set(p.id as number, p.vector as Float32Array);
        }),
      );
      await store.delete('c', [round * 37]);
      acknowledged.delete(round * 37);
    }
    // At least one background snapshot (by size or by age) happened among the writes.
    await told.next((e) => e.trigger === 'size' || e.trigger === 'age');
    // One more acknowledged write that no snapshot holds yet, then the "crash".
    await store.upsert('c', [{ id: 999, vector: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) }]);
    acknowledged.set(999, Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    await abandon(store);

    expect(told.events.every((e) => e.error === undefined)).toBe(true);
    const again = await open({ dir });
    expect(again.store.count('c')).toBe(acknowledged.size);
    const got = again.store.get('c', [...acknowledged.keys()], true);
    expect(new Map(got.map((p) => [p.id, p.vector]))).toEqual(
      new Map([...acknowledged].map(([id, v]) => [id, Array.from(v)])),
    );
  });

  it('checks the snapshot options', () => {
    const resolved = resolveStoreOptions({});
    expect(resolved.snapshotEveryBytes).toBe(DEFAULT_SNAPSHOT_EVERY_BYTES);
    expect(resolved.snapshotMaxAgeMs).toBe(DEFAULT_SNAPSHOT_MAX_AGE_MS);
    expect(DEFAULT_SNAPSHOT_MAX_AGE_MS).toBe(60_000);
    expect(resolveStoreOptions({ snapshotMaxAgeMs: 0 }).snapshotMaxAgeMs).toBe(0);
    for (const bad of [-1, 1.5, 2 ** 31, '60000', Number.NaN]) {
      expect(() => resolveStoreOptions({ snapshotMaxAgeMs: bad })).toThrow(InvalidOptionError);
      expect(() => resolveStoreOptions({ snapshotMaxAgeMs: bad })).toThrow(/snapshotMaxAgeMs/);
    }
    expect(() => resolveStoreOptions({ onSnapshot: 'log' })).toThrow(/onSnapshot/);
  });
});

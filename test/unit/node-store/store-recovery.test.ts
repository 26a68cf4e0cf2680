/**
 * Restarting after a crash without building the HNSW graphs first: the log replay puts points in
 * the tables only, searches score the unindexed points exactly, and the background indexer
 * moves them into the graphs. Every acknowledged write is there, and searches answer the same
 * before the crash, right after the restart and once the graphs are complete.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/core/filter.js';
import type { Hit, Point } from '../../../src/core/types.js';
import { DurableStore } from '../../../src/node/store/durable-store.js';
import type { VectorStore } from '../../../src/node/store/index.js';
import {
  abandon,
  bruteForce,
  cleanUpAfterEach,
  open,
  pointsOf,
  randomVectors,
  request,
  tempDir,
} from './store-fixture.js';

cleanUpAfterEach();

const DIM = 4;
const queries = randomVectors(20, DIM, 99);
const filter = parseFilter({ even: true });

function durable(store: VectorStore): DurableStore {
  if (!(store instanceof DurableStore)) throw new Error('not a DurableStore');
  return store;
}

// A wider graph walk than the default, so that the graph answers are close to exact ones.
const ef = 200;

/** What the searches answer, plain and filtered; exact, or through the graph when there is one. */
function answers(store: VectorStore, exact = false): Hit[][][] {
  return [
    store.search('c', request(queries, 10, exact ? { exact } : { ef })),
    store.search('c', request(queries, 10, exact ? { exact, filter } : { ef, filter })),
  ];
}

/**
 * Checks answers through the graph against exact ones: the graph is approximate (and built in
 * another order after a restart), so most of the true hits, each with its exact score.
 */
function expectClose(approximate: Hit[][][], exact: Hit[][][]): void {
  let found = 0;
  let total = 0;
  approximate.forEach((lists, a) => {
    lists.forEach((hits, q) => {
      const truth = new Map(exact[a]![q]!.map((h) => [h.id, h.score]));
      total += truth.size;
      for (const h of hits) {
        if (truth.has(h.id)) {
          found++;
          expect(h.score).toBe(truth.get(h.id));
        }
      }
    });
  });
  expect(found / total).toBeGreaterThanOrEqual(0.95);
}

/** The points the store should hold: the batches upserted in order, then the deletes. */
function expectedPoints(batches: readonly Point[][], deleted: readonly number[]): Point[] {
  const byId = new Map<number, Point>();
  for (const batch of batches) for (const p of batch) byId.set(p.id as number, p);
  for (const id of deleted) byId.delete(id);
  return [...byId.values()];
}

describe('node store: restart without building the graph first', () => {
  it('replays upserts, replacements and deletes into the tables; search answers stay the same', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'cosine' });
    const initial = pointsOf(randomVectors(1500, DIM, 1));
    const batches = [0, 1, 2, 3, 4].map((b) => initial.slice(b * 300, (b + 1) * 300));
    // Points 0..99 get new vectors and payloads; 100..149 are deleted.
    const replaced = pointsOf(randomVectors(100, DIM, 2)).map((p) => ({
      ...p,
      payload: { even: p.id !== 4 },
    }));
    const deleted = Array.from({ length: 50 }, (_, i) => 100 + i);
    for (const batch of batches) await first.store.upsert('c', batch);
    await first.store.upsert('c', replaced);
    await first.store.delete('c', deleted);
    const before = answers(first.store, true);
    await abandon(first.store);

    const second = await open({ dir });
    const store = durable(second.store);
    expect(second.report).toEqual({ collections: 0, replayed: 8, droppedBytes: 0 });
    expect(store.unindexed).toBe(1450);
    const expected = expectedPoints([...batches, replaced], deleted);
    expect(store.count('c')).toBe(expected.length);
    const got = store.get(
      'c',
      expected.map((p) => p.id),
      true,
    );
    expect(got.map((p) => [p.id, p.vector, p.payload])).toEqual(
      expected.map((p) => [p.id, Array.from(p.vector as Float32Array), p.payload]),
    );
    expect(answers(store, true)).toEqual(before);
    expectClose(answers(store), before);
    // The exact answer is the brute-force one, over the points as they were acknowledged.
    expect(store.search('c', request([queries[0]!], 10, { exact: true }))[0]).toEqual(
      bruteForce(
        'cosine',
        expected.map((p) => ({ id: p.id, vector: p.vector as Float32Array })),
        queries[0]!,
        10,
      ),
    );

    await store.indexed();
    expect(store.unindexed).toBe(0);
    expect(answers(store, true)).toEqual(before);
    expectClose(answers(store), before);
  });

  it('after a snapshot, only the records after it wait for the graph; searches mix both', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'l2' });
    const all = pointsOf(randomVectors(1500, DIM, 3));
    await first.store.upsert('c', all.slice(0, 1200));
    await first.store.snapshot();
    await first.store.upsert('c', all.slice(1200));
    // A point of the snapshot moves next to a query: the graph holds its old vector no more.
    await first.store.upsert('c', [{ id: 0, vector: queries[1]!, payload: { even: true } }]);
    await first.store.delete('c', [1]);
    const before = answers(first.store, true);
    expect(before[0]![1]![0]).toMatchObject({ id: 0, score: 0 });
    await abandon(first.store);

    const second = await open({ dir });
    const store = durable(second.store);
    expect(second.report).toEqual({ collections: 1, replayed: 3, droppedBytes: 0 });
    // 300 new points and the moved one; the deleted one left the graph.
    expect(store.unindexed).toBe(301);
    expect(answers(store, true)).toEqual(before);
    expectClose(answers(store), before);
    // The moved point waits for the graph, and is found through the graph's search all the same.
    expect(answers(store)[0]![1]![0]).toMatchObject({ id: 0, score: 0 });
    await store.indexed();
    expect(answers(store, true)).toEqual(before);
    expectClose(answers(store), before);
  });

  it('writes made while the indexer runs land in the graph or wait for it, never both', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'l2' });
    const all = pointsOf(randomVectors(1000, DIM, 4));
    await first.store.upsert('c', all);
    await abandon(first.store);

    const second = await open({ dir });
    const store = durable(second.store);
    expect(store.unindexed).toBe(1000);
    // Before the first slice of the indexer: replace and delete points that wait for it, and
    // add new ones (those enter the graph at once).
    const moved = pointsOf(randomVectors(200, DIM, 5));
    const added = pointsOf(randomVectors(300, DIM, 6)).map((p, i) => ({ ...p, id: 2000 + i }));
    const deleted = Array.from({ length: 100 }, (_, i) => 500 + i);
    await Promise.all([
      store.upsert('c', moved),
      store.upsert('c', added),
      store.delete('c', deleted),
    ]);
    const expected = expectedPoints([all, moved, added], deleted);
    const truth = (): Hit[][] =>
      queries.map((q) =>
        bruteForce(
          'l2',
          expected.map((p) => ({ id: p.id, vector: p.vector as Float32Array })),
          q,
          10,
        ),
      );
    expect(store.search('c', request(queries, 10, { exact: true }))).toEqual(truth());
    await store.indexed();
    expect(store.count('c')).toBe(expected.length);
    expectClose([store.search('c', request(queries, 10, { ef }))], [truth()]);
    await abandon(store);

    const third = await open({ dir });
    expect(third.store.count('c')).toBe(expected.length);
    expect(third.store.search('c', request(queries, 10, { exact: true }))).toEqual(truth());
  });

  it('once the graph is complete, a snapshot saves it: the next start has nothing to index', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'l2' });
    await first.store.upsert('c', pointsOf(randomVectors(600, DIM, 7)));
    await abandon(first.store);

    const second = await open({ dir });
    const store = durable(second.store);
    await store.indexed();
    // The snapshot the indexer queued when it finished runs in the write lane.
    await store.snapshot();
    expect((await readdir(dir)).filter((f) => f.endsWith('.hnsw'))).toHaveLength(1);
    const before = answers(store, true);
    await abandon(store);

    const third = await open({ dir });
    expect(third.report).toEqual({ collections: 1, replayed: 0, droppedBytes: 0 });
    expect(durable(third.store).unindexed).toBe(0);
    expect(answers(third.store, true)).toEqual(before);
    expectClose(answers(third.store), before);
  });

  it('a snapshot taken while points wait for the graph keeps them, graph or not', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'cosine' });
    await first.store.upsert('c', pointsOf(randomVectors(800, DIM, 8)));
    const before = answers(first.store, true);
    await abandon(first.store);

    const second = await open({ dir });
    await second.store.snapshot();
    await abandon(second.store);

    const third = await open({ dir });
    expect(third.report).toMatchObject({ collections: 1, replayed: 0, droppedBytes: 0 });
    expect(third.store.count('c')).toBe(800);
    expect(answers(third.store, true)).toEqual(before);
    expectClose(answers(third.store), before);
    await durable(third.store).indexed();
    expectClose(answers(third.store), before);
  });

  it('indexed() fails once the store is closed', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: DIM, metric: 'l2' });
    await first.store.upsert('c', pointsOf(randomVectors(300, DIM, 9)));
    await abandon(first.store);
    const second = await open({ dir });
    const store = durable(second.store);
    const waiting = expect(store.indexed()).rejects.toThrow(/closed/);
    await store.close();
    await waiting;
    await expect(store.indexed()).rejects.toThrow(/closed/);
  });
});

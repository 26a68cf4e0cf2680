import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidOptionError,
  InvalidVectorError,
} from '../../../src/core/errors.js';
import { parseFilter } from '../../../src/core/filter.js';
import type { Payload, PointId } from '../../../src/core/types.js';
import { openStore } from '../../../src/node/store/index.js';
import { cleanUpAfterEach, open, request } from './store-fixture.js';

cleanUpAfterEach();

describe('node store: collections and points', () => {
  it('creates, describes, lists and drops collections', async () => {
    const { store, report } = await open();
    expect(report).toEqual({ collections: 0, replayed: 0, droppedBytes: 0 });
    expect(await store.createCollection('b', { dimension: 3, metric: 'cosine' })).toBe('created');
    expect(await store.createCollection('a', { dimension: 2, metric: 'l2', index: { m: 8 } })).toBe(
      'created',
    );
    expect(await store.createCollection('b', { dimension: 3, metric: 'cosine' })).toBe('exists');
    await expect(
      store.createCollection('b', { dimension: 4, metric: 'cosine' }),
    ).rejects.toBeInstanceOf(CollectionConflictError);
    await expect(
      store.createCollection('b', { dimension: 3, metric: 'ip' }),
    ).rejects.toBeInstanceOf(CollectionConflictError);
    expect(store.listCollections()).toEqual(['a', 'b']);
    expect(store.describeCollection('a')).toEqual({
      name: 'a',
      dimension: 2,
      metric: 'l2',
      index: { type: 'hnsw', m: 8, efConstruction: 128 },
      count: 0,
    });
    expect(await store.dropCollection('a')).toBe(true);
    expect(await store.dropCollection('a')).toBe(false);
    expect(() => store.describeCollection('a')).toThrow(CollectionNotFoundError);
    expect(store.listCollections()).toEqual(['b']);
  });

  it('rejects bad specs and names before logging anything', async () => {
    const { store } = await open();
    const bad: unknown[] = [
      { dimension: 0, metric: 'l2' },
      { dimension: 2, metric: 'hamming' },
      { dimension: 2, metric: 'l2', index: { type: 'ivf' } },
      { dimension: 2, metric: 'l2', index: { m: 1 } },
      { dimension: 2, metric: 'l2', index: 'hnsw' },
    ];
    for (const spec of bad) {
      await expect(store.createCollection('c', spec as never)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    await expect(store.createCollection('', { dimension: 2, metric: 'l2' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(store.listCollections()).toEqual([]);
  });

  it('upserts, replaces, gets in request order and deletes', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 2, metric: 'ip' });
    await store.upsert('c', [
      { id: 1, vector: [1, 0], payload: { tag: 'one' } },
      { id: '1', vector: [0, 1] },
      {
        id: 'x',
        vector: Float32Array.of(0.5, 0.5),
        payload: JSON.parse('{"__proto__":{"evil":1}}') as Payload,
      },
    ]);
    await store.upsert('c', [{ id: 1, vector: [2, 2], payload: { tag: 'new' } }]);
    expect(store.get('c', ['1', 1, 'missing', 1], true)).toEqual([
      { id: '1', payload: {}, vector: [0, 1] },
      { id: 1, payload: { tag: 'new' }, vector: [2, 2] },
    ]);
    expect(store.get('c', [1], false)).toEqual([{ id: 1, payload: { tag: 'new' } }]);
    expect(store.count('c')).toBe(3);
    await store.delete('c', [1, 'nope']);
    expect(store.count('c')).toBe(2);
    expect(store.get('c', [1], false)).toEqual([]);
    expect(
      store
        .search('c', request([Float32Array.of(1, 0)], 5))
        .flat()
        .map((h) => h.id),
    ).toEqual(['x', '1']);
    // `__proto__` stays a plain key: kept as data, nothing polluted.
    const [x] = store.get('c', ['x'], false);
    expect(Object.hasOwn(x!.payload, '__proto__')).toBe(true);
    expect(({} as { evil?: number }).evil).toBeUndefined();
  });

  it('hands out copies: changing what it returned or was given changes nothing stored', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 2, metric: 'l2' });
    const vector = [1, 2];
    const payload = { list: [1] };
    await store.upsert('c', [{ id: 'a', vector, payload }]);
    vector[0] = 9;
    payload.list.push(2);
    const [got] = store.get('c', ['a'], true);
    (got!.payload['list'] as number[]).push(3);
    got!.vector![1] = 9;
    expect(store.get('c', ['a'], true)).toEqual([
      { id: 'a', payload: { list: [1] }, vector: [1, 2] },
    ]);
  });

  it('rejects bad points whole, with typed errors, and writes nothing', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 2, metric: 'cosine' });
    await expect(
      store.upsert('c', [
        { id: 'ok', vector: [1, 0] },
        { id: 'bad', vector: [1, 0, 0] },
      ]),
    ).rejects.toBeInstanceOf(InvalidVectorError);
    await expect(store.upsert('c', [{ id: 'z', vector: [0, 0] }])).rejects.toBeInstanceOf(
      InvalidVectorError,
    );
    await expect(store.upsert('c', [{ id: 1.5, vector: [1, 0] }])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      store.upsert('c', [{ id: 'p', vector: [1, 0], payload: { when: new Date() } as never }]),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.upsert('nope', [{ id: 1, vector: [1, 0] }])).rejects.toBeInstanceOf(
      CollectionNotFoundError,
    );
    await expect(store.delete('nope', [1])).rejects.toBeInstanceOf(CollectionNotFoundError);
    expect(store.count('c')).toBe(0);
    expect(() => store.search('c', request([Float32Array.of(1)], 1))).toThrow(InvalidVectorError);
    expect(() => store.search('c', request([Float32Array.of(1, 0)], 0))).toThrow(
      InvalidArgumentError,
    );
    expect(() => store.search('nope', request([Float32Array.of(1, 0)], 1))).toThrow(
      CollectionNotFoundError,
    );
  });

  it('counts with filters', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 1, metric: 'l2' });
    await store.upsert(
      'c',
      Array.from({ length: 30 }, (_, i) => ({ id: i, vector: [i], payload: { odd: i % 2 === 1 } })),
    );
    expect(store.count('c', parseFilter({ odd: true }))).toBe(15);
    expect(store.count('c', parseFilter({ odd: { $exists: false } }))).toBe(0);
  });

  it('scans ids page by page in a stable order, without skipping across writes', async () => {
    const { store } = await open();
    await store.createCollection('c', { dimension: 1, metric: 'l2' });
    const ids: PointId[] = [...Array.from({ length: 23 }, (_, i) => i), 'a', 'b', 'z'];
    await store.upsert(
      'c',
      ids.map((id) => ({ id, vector: [1] })),
    );
    const seen: PointId[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.scanIds('c', cursor, 5);
      seen.push(...page.ids);
      cursor = page.nextCursor;
      if (pages++ === 1) {
        // Writes between pages: a new id may or may not show up, existing ones are never skipped.
        await store.delete('c', [seen[0]!]);
        await store.upsert('c', [{ id: 'new', vector: [1] }]);
      }
    } while (cursor !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    expect(store.scanIds('c', undefined, 100).ids).toHaveLength(ids.length);
    expect(() => store.scanIds('c', 'garbage', 5)).toThrow(InvalidArgumentError);
    await store.createCollection('empty', { dimension: 1, metric: 'l2' });
    expect(store.scanIds('empty', undefined, 5)).toEqual({ ids: [] });
  });

  it('orders concurrent writes by call order, and answers create and drop in that order', async () => {
    const { store } = await open();
    const outcomes = await Promise.all([
      store.createCollection('c', { dimension: 1, metric: 'l2' }),
      store.createCollection('c', { dimension: 1, metric: 'l2' }),
      store.dropCollection('c'),
      store.dropCollection('c'),
      store.createCollection('c', { dimension: 1, metric: 'l2' }),
    ]);
    expect(outcomes).toEqual(['created', 'exists', true, false, 'created']);
  });

  it('refuses every call after close, and close is idempotent', async () => {
    const store = await openStore();
    await store.createCollection('c', { dimension: 1, metric: 'l2' });
    await Promise.all([store.close(), store.close()]);
    await expect(store.upsert('c', [{ id: 1, vector: [1] }])).rejects.toBeInstanceOf(ClosedError);
    await expect(store.snapshot()).rejects.toBeInstanceOf(ClosedError);
    expect(() => store.listCollections()).toThrow(ClosedError);
    expect(() => store.count('c')).toThrow(ClosedError);
  });

  it('checks its options', async () => {
    await expect(openStore({ fsync: 'yes' } as never)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(openStore({ snapshotEveryBytes: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(openStore({ dirr: '/tmp' } as never)).rejects.toBeInstanceOf(InvalidOptionError);
  });
});

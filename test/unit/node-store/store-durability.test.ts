import {
  appendFile,
  open as openFile,
  readdir,
  readFile,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BackendError } from '../../../src/core/errors.js';
import type { Payload, Point } from '../../../src/core/types.js';
import { MANIFEST_FILE_NAME } from '../../../src/node/store/snapshot-manifest.js';
import { WAL_FILE_NAME } from '../../../src/node/store/wal-file.js';
import { encodeRecord, walHeader } from '../../../src/node/store/wal-record.js';
import {
  abandon,
  cleanUpAfterEach,
  open,
  randomVectors,
  request,
  tempDir,
} from './store-fixture.js';

cleanUpAfterEach();

const walPath = (dir: string): string => join(dir, WAL_FILE_NAME);
const points = (from: number, n: number, dim = 4): Point[] =>
  randomVectors(n, dim, from + 1).map((vector, i) => ({
    id: from + i,
    vector,
    payload: { n: from + i },
  }));

describe('node store: durability', () => {
  it('after a crash, every acknowledged write is there (no close, no snapshot)', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('docs', { dimension: 4, metric: 'cosine' });
    await first.store.createCollection('gone', { dimension: 2, metric: 'l2' });
    await first.store.upsert('docs', points(0, 50));
    await first.store.upsert('docs', [
      {
        id: 3,
        vector: [1, 2, 3, 4],
        payload: JSON.parse('{"__proto__":{"x":1},"v":2}') as Payload,
      },
    ]);
    await first.store.delete('docs', [10, 11, 999]);
    await first.store.dropCollection('gone');
    await first.store.createCollection('gone', {
      dimension: 3,
      metric: 'ip',
      index: { type: 'flat' },
    });
    await first.store.upsert('gone', [{ id: 'a', vector: [1, 1, 1] }]);
    const before = first.store.search('docs', request([Float32Array.of(1, 0, 0, 0)], 10));
    await abandon(first.store);

    const second = await open({ dir });
    expect(second.report).toEqual({ collections: 0, replayed: 8, droppedBytes: 0 });
    const s = second.store;
    expect(s.listCollections()).toEqual(['docs', 'gone']);
    expect(s.describeCollection('docs').count).toBe(48);
    expect(s.describeCollection('gone')).toMatchObject({ dimension: 3, metric: 'ip', count: 1 });
    const [three] = s.get('docs', [3], true);
    expect(three!.vector).toEqual([1, 2, 3, 4]);
    expect(Object.hasOwn(three!.payload, '__proto__')).toBe(true);
    expect(s.get('docs', [10, 11], false)).toEqual([]);
    expect(s.search('docs', request([Float32Array.of(1, 0, 0, 0)], 10))).toEqual(before);
  });

  it('group commit: concurrent writes share flushes, and all are durable', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'l2' });
    const probe = await openFile(walPath(dir), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(proto, 'datasync');
    try {
      await Promise.all(points(0, 200).map((p) => first.store.upsert('c', [p])));
      expect(spy.mock.calls.length).toBeLessThan(20);
    } finally {
      spy.mockRestore();
    }
    await abandon(first.store);
    const second = await open({ dir });
    expect(second.report.replayed).toBe(201); // the create and 200 upserts
    expect(second.store.count('c')).toBe(200);
  });

  it('a torn tail is cut and reported; earlier writes stay and new ones follow', async () => {
    const dir = await tempDir();
    const first = await open({ dir, fsync: false });
    await first.store.createCollection('c', { dimension: 4, metric: 'l2' });
    await first.store.upsert('c', points(0, 5));
    await abandon(first.store);
    const torn = encodeRecord(3, { op: 'delete', collection: 'c', ids: [1] });
    await appendFile(walPath(dir), torn.subarray(0, 20));

    const second = await open({ dir });
    expect(second.report).toMatchObject({ replayed: 2, droppedBytes: 20 });
    expect(second.report.problem).toMatch(/torn/);
    expect(second.store.count('c')).toBe(5);
    await second.store.upsert('c', points(5, 1));
    await abandon(second.store);

    const third = await open({ dir });
    expect(third.report).toEqual({ collections: 0, replayed: 3, droppedBytes: 0 });
    expect(third.store.count('c')).toBe(6);
  });

  it('a damaged record stops the replay there: what follows is cut and reported', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'l2' });
    await first.store.upsert('c', points(0, 3));
    const size = (await stat(walPath(dir))).size;
    await first.store.upsert('c', points(3, 3));
    await first.store.upsert('c', points(6, 3));
    await abandon(first.store);
    const bytes = await readFile(walPath(dir));
    bytes[size + 30] = bytes[size + 30]! ^ 0x01;
    await writeFile(walPath(dir), bytes);

    const second = await open({ dir });
    expect(second.report.droppedBytes).toBe(bytes.length - size);
    expect(second.report.problem).toMatch(/checksum/);
    expect(second.store.count('c')).toBe(3);
    expect((await stat(walPath(dir))).size).toBe(size);
    await second.store.upsert('c', points(100, 1));
    expect(second.store.count('c')).toBe(4);
  });

  it('garbage after the last record, or an empty log file, never stops the start', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'l2' });
    await abandon(first.store);
    await appendFile(walPath(dir), 'not a record at all\n\x00\x01garbage');
    const second = await open({ dir });
    expect(second.report.droppedBytes).toBe(29);
    expect(second.store.listCollections()).toEqual(['c']);
    await abandon(second.store);

    await truncate(walPath(dir), 0);
    const third = await open({ dir });
    expect(third.report).toMatchObject({
      droppedBytes: 0,
      problem: expect.stringMatching(/empty/) as unknown,
    });
    await third.store.createCollection('d', { dimension: 1, metric: 'l2' });
    await abandon(third.store);
    expect((await open({ dir })).store.listCollections()).toEqual(['d']);
  });

  it('snapshot, more writes, crash: both parts come back and the log was truncated', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'ip' });
    await first.store.createCollection('f', {
      dimension: 4,
      metric: 'l2',
      index: { type: 'flat' },
    });
    await first.store.upsert('c', points(0, 300));
    await first.store.upsert('f', points(0, 10));
    await first.store.snapshot();
    expect((await stat(walPath(dir))).size).toBe(walHeader(4).length);
    await first.store.upsert('c', points(300, 20));
    await first.store.delete('c', [0]);
    await first.store.dropCollection('f');
    const before = first.store.search('c', request(randomVectors(3, 4, 5), 10));
    await abandon(first.store);

    const second = await open({ dir });
    expect(second.report).toEqual({ collections: 2, replayed: 3, droppedBytes: 0 });
    expect(second.store.listCollections()).toEqual(['c']);
    expect(second.store.count('c')).toBe(319);
    expect(second.store.search('c', request(randomVectors(3, 4, 5), 10))).toEqual(before);
    // close() snapshots again: the next start loads everything and replays nothing.
    await second.store.close();
    const third = await open({ dir });
    expect(third.report).toEqual({ collections: 1, replayed: 0, droppedBytes: 0 });
    expect(third.store.search('c', request(randomVectors(3, 4, 5), 10))).toEqual(before);
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith('snap-'))).toHaveLength(2);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('writes made while a snapshot runs wait for it and land after it', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 8, metric: 'l2' });
    await first.store.upsert('c', points(0, 500, 8));
    const done = await Promise.all([
      first.store.snapshot(),
      ...points(500, 50, 8).map((p) => first.store.upsert('c', [p])),
      first.store.delete('c', [0]),
    ]);
    expect(done).toHaveLength(52);
    await abandon(first.store);
    const second = await open({ dir });
    expect(second.report).toMatchObject({ collections: 1, replayed: 51, droppedBytes: 0 });
    expect(second.store.count('c')).toBe(549);
  });

  it('snapshots by itself once the log passes snapshotEveryBytes', async () => {
    const dir = await tempDir();
    const first = await open({ dir, snapshotEveryBytes: 4000 });
    await first.store.createCollection('c', { dimension: 16, metric: 'l2' });
    for (let i = 0; i < 20; i++) await first.store.upsert('c', points(i * 10, 10, 16));
    await first.store.snapshot(); // waits for any snapshot the writes started
    expect((await stat(walPath(dir))).size).toBeLessThan(4000);
    await abandon(first.store);
    const second = await open({ dir });
    expect(second.report.collections).toBe(1);
    expect(second.store.count('c')).toBe(200);
  });

  it('a dropped then recreated collection survives restarts, with and without a snapshot between', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 2, metric: 'l2' });
    await first.store.upsert('c', [{ id: 'old', vector: [1, 1] }]);
    await first.store.snapshot();
    await first.store.dropCollection('c');
    await first.store.createCollection('c', { dimension: 3, metric: 'cosine' });
    await first.store.upsert('c', [{ id: 'new', vector: [1, 0, 0] }]);
    await abandon(first.store);

    const second = await open({ dir });
    expect(second.store.describeCollection('c')).toMatchObject({
      dimension: 3,
      metric: 'cosine',
      count: 1,
    });
    expect(second.store.get('c', ['old', 'new'], false).map((p) => p.id)).toEqual(['new']);
    await second.store.close();
    const third = await open({ dir });
    expect(third.store.get('c', ['old', 'new'], false).map((p) => p.id)).toEqual(['new']);
  });

  it('a damaged snapshot points file or manifest fails the start loudly', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'l2' });
    await first.store.upsert('c', points(0, 20));
    await first.store.close();
    const pointsFile = (await readdir(dir)).find((f) => f.endsWith('.points'))!;
    const bytes = await readFile(join(dir, pointsFile));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x20;
    await writeFile(join(dir, pointsFile), bytes);
    await expect(open({ dir })).rejects.toThrow(BackendError);
    await expect(open({ dir })).rejects.toThrow(/snap-.*\.points is damaged/);

    await writeFile(join(dir, MANIFEST_FILE_NAME), 'garbage\n');
    await expect(open({ dir })).rejects.toThrow(/manifest .* is damaged/);
  });

  it('a log that starts after the snapshot (records missing between) fails the start', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 1, metric: 'l2' });
    await first.store.close();
    await writeFile(walPath(dir), walHeader(7));
    await expect(open({ dir })).rejects.toThrow(/records between are missing/);
  });

  it('a damaged HNSW index file is rebuilt from the vectors and reported', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 4, metric: 'cosine' });
    await first.store.upsert('c', points(0, 100));
    const before = first.store.search('c', request(randomVectors(2, 4, 3), 5));
    await first.store.close();
    const indexFile = (await readdir(dir)).find((f) => f.endsWith('.hnsw'))!;
    await truncate(join(dir, indexFile), 64);

    const second = await open({ dir });
    expect(second.report.problem).toMatch(/rebuilt/);
    expect(second.store.search('c', request(randomVectors(2, 4, 3), 5))).toEqual(before);
  });

  it('removes leftovers of interrupted snapshots at start', async () => {
    const dir = await tempDir();
    const first = await open({ dir });
    await first.store.createCollection('c', { dimension: 1, metric: 'l2' });
    await abandon(first.store);
    await writeFile(join(dir, 'snap-99-0.points'), 'half');
    await writeFile(join(dir, 'manifest.tmp'), 'half');
    await writeFile(join(dir, 'snap-99-0.points.tmp'), 'half');
    await writeFile(join(dir, 'unrelated.txt'), 'mine');
    await writeFile(join(dir, 'unrelated.tmp'), 'mine too');
    await open({ dir });
    expect((await readdir(dir)).sort()).toEqual(['unrelated.tmp', 'unrelated.txt', 'wal.log']);
  });
});

describe('node store: failures', () => {
  it('logs nothing for a rejected write', async () => {
    const dir = await tempDir();
    const { store } = await open({ dir });
    await store.createCollection('c', { dimension: 2, metric: 'l2' });
    const size = (await stat(walPath(dir))).size;
    await expect(store.upsert('c', [{ id: 1, vector: [1, Number.NaN] }])).rejects.toThrow();
    await expect(store.createCollection('c', { dimension: 3, metric: 'l2' })).rejects.toThrow();
    await expect(store.upsert('c', [])).resolves.toBeUndefined();
    await expect(store.delete('c', [])).resolves.toBeUndefined();
    expect((await stat(walPath(dir))).size).toBe(size);
  });

  it('a log that cannot be flushed fails the write and every later one; reads go on', async () => {
    const dir = await tempDir();
    const { store } = await open({ dir });
    await store.createCollection('c', { dimension: 2, metric: 'l2' });
    await store.upsert('c', [{ id: 1, vector: [1, 1] }]);
    const probe = await openFile(walPath(dir), 'r');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(new Error('EIO: disk on fire'));
    try {
      await expect(store.upsert('c', [{ id: 2, vector: [2, 2] }])).rejects.toThrow(/disk on fire/);
    } finally {
      spy.mockRestore();
    }
    await expect(store.upsert('c', [{ id: 3, vector: [3, 3] }])).rejects.toBeInstanceOf(
      BackendError,
    );
    expect(store.get('c', [1, 2], false).map((p) => p.id)).toEqual([1]);
    await abandon(store);
    const again = await open({ dir });
    expect(again.store.get('c', [1, 2, 3], false).map((p) => p.id)).toEqual([1]);
  });
});

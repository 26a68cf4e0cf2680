import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../../src/backends/memory/index.js';
import { ClosedError, InvalidOptionError } from '../../../../src/core/errors.js';
import {
  fileHintStore,
  type FileHintStoreOptions,
} from '../../../../src/replication/hints/file-hint-store.js';
import { headerLine } from '../../../../src/replication/hints/hint-record.js';
import {
  awkwardFloat32,
  bitsOf,
  deleteHint,
  describeHintStore,
  upsertHint,
} from './describe-hint-store.js';
import { cleanUpAfterEach, logPath, R1, reopen, tempDir, track } from './file-store-fixture.js';

cleanUpAfterEach();

describeHintStore('fileHintStore', async (limits) => {
  const { store } = await reopen(await tempDir(), limits);
  return store;
});

describe('fileHintStore: durability across restarts', () => {
  it('keeps pending hints, acked ones gone, and continues seqs in a new instance', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    for (let i = 0; i < 5; i++) await first.store.append(R1, upsertHint(i));
    await first.store.append('other/s1/r0', deleteHint([1, 2]));
    await first.store.ack(R1, 2);
    await first.store.close();

    const second = await reopen(dir);
    expect(second.reports).toEqual([]);
    expect(second.store.replicas().sort()).toEqual(['local/s0/r1', 'other/s1/r0']);
    expect(second.store.count(R1)).toBe(3);
    const hints = await second.store.pending(R1, 10);
    expect(hints.map((h) => h.seq)).toEqual([3, 4, 5]);
    expect(hints[0]!.points).toEqual(upsertHint(2).points);
    expect(await second.store.pending('other/s1/r0', 10)).toMatchObject([
      { seq: 1, op: 'delete', ids: [1, 2] },
    ]);
    expect(await second.store.append(R1, deleteHint(['z']))).toBe('stored');
    expect((await second.store.pending(R1, 10)).map((h) => h.seq)).toEqual([3, 4, 5, 6]);
  });

  it('cuts a fully acked log back to its header, and still continues seqs', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    for (let i = 0; i < 4; i++) await first.store.append(R1, upsertHint(i, 3));
    await first.store.ack(R1, 4);
    expect((await stat(logPath(dir))).size).toBe(headerLine(R1).length);
    await first.store.close();

    const second = await reopen(dir);
    expect(second.store.count(R1)).toBe(0);
    expect(second.store.replicas()).toEqual([]);
    await second.store.append(R1, upsertHint(9));
    expect((await second.store.pending(R1, 10)).map((h) => h.seq)).toEqual([5]);
  });

  it('keeps the needs-repair mark, and its clearing, across restarts', async () => {
    const dir = await tempDir();
    const first = await reopen(dir, { maxHintsPerReplica: 2 });
    await first.store.append(R1, upsertHint(0));
    await first.store.append(R1, upsertHint(1));
    expect(await first.store.append(R1, upsertHint(2))).toBe('overflow');
    await first.store.close();

    const second = await reopen(dir, { maxHintsPerReplica: 2 });
    expect(second.store.needsRepair(R1)).toBe(true);
    expect(second.store.count(R1)).toBe(0);
    expect(await second.store.append(R1, upsertHint(3))).toBe('overflow');
    await second.store.clearNeedsRepair(R1);
    expect(await second.store.append(R1, upsertHint(4))).toBe('stored');
    await second.store.close();

    const third = await reopen(dir, { maxHintsPerReplica: 2 });
    expect(third.store.needsRepair(R1)).toBe(false);
    expect((await third.store.pending(R1, 10)).map((h) => h.seq)).toEqual([3]);
  });

  it('replays Float32Array vectors bit for bit after a restart', async () => {
    const dir = await tempDir();
    const vectors = [awkwardFloat32(768, 1), awkwardFloat32(768, 2), awkwardFloat32(768, 3)];
    const first = await reopen(dir);
    await first.store.append(R1, {
      collection: 'docs',
      op: 'upsert',
      points: vectors.map((vector, i) => ({ id: i, vector, payload: { i } })),
    });
    await first.store.close();

    const second = await reopen(dir);
    const [hint] = await second.store.pending(R1, 1);
    hint!.points!.forEach((p, i) => {
      expect(bitsOf(p.vector)).toEqual(bitsOf(vectors[i]!));
    });
    // Replaying into a backend stores exactly what upserting the originals stores.
    const replayed = memoryBackend({ name: 'replayed' });
    const direct = memoryBackend({ name: 'direct' });
    for (const b of [replayed, direct]) {
      await b.connect();
      await b.createCollection('docs', { dimension: 768, metric: 'l2' });
    }
    await replayed.upsert(hint!.collection, hint!.points!);
    await direct.upsert(
      'docs',
      vectors.map((vector, i) => ({ id: i, vector, payload: { i } })),
    );
    const ids = [0, 1, 2];
    expect(await replayed.get('docs', ids, { includeVector: true })).toEqual(
      await direct.get('docs', ids, { includeVector: true }),
    );
    await replayed.close();
    await direct.close();
  });

  it('turns -0 into 0 (JSON has no negative zero; the two are equal as numbers)', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    await first.store.append(R1, {
      collection: 'docs',
      op: 'upsert',
      points: [{ id: 1, vector: Float32Array.of(-0, 1) }],
    });
    await first.store.close();
    const [hint] = await (await reopen(dir)).store.pending(R1, 1);
    expect(Array.from(hint!.points![0]!.vector)).toEqual([0, 1]);
  });

  it('writes concurrent appends in call order with consistent seqs, also after a restart', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        first.store.append(R1, i % 3 === 0 ? deleteHint([`d${i}`]) : upsertHint(i)),
      ),
    );
    expect(outcomes.every((o) => o === 'stored')).toBe(true);
    await first.store.close();
    const hints = await (await reopen(dir)).store.pending(R1, 1000);
    expect(hints.map((h) => h.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    hints.forEach((h, i) => {
      if (i % 3 === 0) expect(h.ids).toEqual([`d${i}`]);
      else expect(h.points![0]!.id).toBe(`p${i}`);
    });
  });

  it('rewrites the log when acked records dominate it, keeping the rest intact', async () => {
    const dir = await tempDir();
    const first = await reopen(dir, { fsync: false });
    for (let i = 0; i < 8; i++) await first.store.append(R1, upsertHint(i * 100, 100, 'big'));
    const fat = (await stat(logPath(dir))).size;
    // Make the hints big enough that the acked part passes the 1 MiB compaction threshold.
    for (let i = 0; i < 8; i++) {
      await first.store.append(R1, {
        collection: 'big',
        op: 'upsert',
        points: Array.from({ length: 50 }, (_, j) => ({
          id: `v${i}-${j}`,
          vector: awkwardFloat32(256, i * 50 + j),
        })),
      });
    }
    const before = (await stat(logPath(dir))).size;
    expect(before).toBeGreaterThan(2 << 20);
    await first.store.ack(R1, 13);
    const after = (await stat(logPath(dir))).size;
    expect(after).toBeLessThan(before / 2);
    expect(after).toBeGreaterThan(fat / 8);
    expect((await first.store.pending(R1, 10)).map((h) => h.seq)).toEqual([14, 15, 16]);
    await first.store.append(R1, deleteHint(['last']));
    await first.store.close();

    const second = await reopen(dir);
    expect(second.reports).toEqual([]);
    const hints = await second.store.pending(R1, 10);
    expect(hints.map((h) => h.seq)).toEqual([14, 15, 16, 17]);
    expect(hints[0]!.points![0]!.id).toBe('v5-0');
    expect(bitsOf(hints[0]!.points![0]!.vector)).toEqual(bitsOf(awkwardFloat32(256, 250)));
  });
});

describe('fileHintStore: lifecycle and options', () => {
  it('does no I/O in the constructor and opens lazily on the first async call', async () => {
    const dir = join(await tempDir(), 'nested', 'hints');
    const store = fileHintStore({ dir });
    track(store);
    await expect(stat(dir)).rejects.toThrow();
    expect(() => store.count(R1)).toThrow(ClosedError);
    expect(() => store.replicas()).toThrow(/await `open\(\)` before `replicas`/);
    expect(await store.append(R1, upsertHint(0))).toBe('stored');
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(store.count(R1)).toBe(1);
  });

  it('close() waits for appends in flight', async () => {
    const dir = await tempDir();
    const store = fileHintStore({ dir });
    const appends = Array.from({ length: 20 }, (_, i) => store.append(R1, upsertHint(i)));
    await store.close();
    expect(await Promise.all(appends)).toEqual(Array<string>(20).fill('stored'));
    const again = await reopen(dir);
    expect(again.store.count(R1)).toBe(20);
  });

  it('names files safely for ids with slashes, odd characters and great length', async () => {
    const dir = await tempDir();
    const { store } = await reopen(dir);
    const ids = [
      'a/b/c',
      'A/b/c',
      `${'x'.repeat(64)}/${'y'.repeat(64)}/${'z'.repeat(64)}`,
      '../..',
      'é/😀',
    ];
    for (const id of ids) await store.append(id, upsertHint(0));
    const names = await readdir(dir);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(name.length).toBeLessThan(100);
    }
    // Distinct even on a case-insensitive file system.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    await store.close();
    const again = await reopen(dir);
    expect(again.store.replicas().sort()).toEqual([...ids].sort());
  });

  it('works with fsync off', async () => {
    const dir = await tempDir();
    const first = await reopen(dir, { fsync: false });
    expect(first.store.fsync).toBe(false);
    await first.store.append(R1, upsertHint(0));
    await first.store.close();
    expect((await reopen(dir)).store.count(R1)).toBe(1);
  });

  it('validates its options, naming them', () => {
    expect(() => fileHintStore({} as FileHintStoreOptions)).toThrow(
      /`fileHintStore options.dir` must be a non-empty string/,
    );
    expect(() => fileHintStore({ dir: '/tmp/x', fsync: 'yes' } as never)).toThrow(
      InvalidOptionError,
    );
    expect(() => fileHintStore({ dir: '/tmp/x', onCorruption: 1 } as never)).toThrow(
      /onCorruption/,
    );
    expect(() => fileHintStore({ dir: '/tmp/x', maxHintsPerReplica: -1 })).toThrow(
      /maxHintsPerReplica/,
    );
    expect(() => fileHintStore({ dir: '/tmp/x', directory: 'y' } as never)).toThrow(
      /unknown option `fileHintStore options.directory`/,
    );
    const store = fileHintStore({ dir: '/tmp/x' });
    expect(store.fsync).toBe(true);
    expect(store.limits).toEqual({ maxHintsPerReplica: 10_000, maxPointsPerReplica: 100_000 });
  });

  it('fails open() with a BackendError naming the directory when it cannot be created', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'x');
    const store = fileHintStore({ dir: join(file, 'hints') });
    track(store);
    await expect(store.open()).rejects.toThrow(
      /the file hint store at .*a-file\/hints failed in `open`/,
    );
  });
});

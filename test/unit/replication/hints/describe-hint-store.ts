/**
 * The behaviour every HintStore must have, run against each implementation by its test file.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError } from '../../../../src/core/errors.js';
import type { Point } from '../../../../src/core/types.js';
import type { HintStoreLimits } from '../../../../src/replication/hints/hint-input.js';
import type { HintInput, HintStore } from '../../../../src/replication/hints/hint-store.js';

/** Makes a fresh, empty store; the test file cleans up what it made. */
export type MakeStore = (limits?: HintStoreLimits) => Promise<HintStore>;

const R1 = 'local/s0/r1';
const R2 = 'local/s0/r2';

/** An upsert hint of `n` points whose ids start at `from`. */
export function upsertHint(from: number, n = 1, collection = 'docs'): HintInput {
  const points: Point[] = Array.from({ length: n }, (_, i) => ({
    id: `p${from + i}`,
    vector: [from + i, 0.5, -1.25],
    payload: { n: from + i, tags: ['a', 'b'], nested: { ok: true } },
  }));
  return { collection, op: 'upsert', points };
}

/** A delete hint of the given ids. */
export function deleteHint(ids: (string | number)[], collection = 'docs'): HintInput {
  return { collection, op: 'delete', ids };
}

/** Bits of a float32 value, to compare vectors exactly. */
export function bitsOf(values: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}

/** A Float32Array of awkward values: thirds, tenths, subnormals, extremes, random bits. */
export function awkwardFloat32(length: number, seed: number): Float32Array {
  const bits = new Uint32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bits[i] = s;
  }
  const out = new Float32Array(bits.buffer);
  const fixed = [1 / 3, 0.1, -2.5e-45, 1.4e-45, 3.4028234e38, -3.4028234e38, 1e-38, Math.PI];
  fixed.forEach((v, i) => {
    if (i < length) out[i] = v;
  });
  // Random bit patterns include NaN and Infinity, which a hint rightly refuses; replace them.
  for (let i = 0; i < length; i++) if (!Number.isFinite(out[i]!)) out[i] = i + 0.7;
  return out;
}

/**
 * Registers the shared behaviour tests for one store implementation.
 *
 * @param label - Shown in the test names.
 * @param make - Makes a fresh, open store with the given limits.
 */
export function describeHintStore(label: string, make: MakeStore): void {
  describe(`${label}: shared HintStore behaviour`, () => {
    it('keeps hints per replica in order, with strictly increasing seqs from 1', async () => {
      const store = await make();
      expect(await store.append(R1, upsertHint(0, 2))).toBe('stored');
      expect(await store.append(R1, deleteHint(['p0', 7]))).toBe('stored');
      expect(await store.append(R2, upsertHint(10))).toBe('stored');
      expect(await store.append(R1, upsertHint(20, 1, 'other'))).toBe('stored');

      const hints = await store.pending(R1, 10);
      expect(hints.map((h) => h.seq)).toEqual([1, 2, 3]);
      expect(hints.map((h) => h.op)).toEqual(['upsert', 'delete', 'upsert']);
      expect(hints[0]!.collection).toBe('docs');
      expect(hints[2]!.collection).toBe('other');
      expect(hints[0]!.points!.map((p) => ({ ...p, vector: Array.from(p.vector) }))).toEqual(
        upsertHint(0, 2).points,
      );
      expect(hints[1]!.ids).toEqual(['p0', 7]);
      for (const h of hints) {
        expect(h.createdAt).toBeGreaterThan(Date.now() - 60_000);
        expect(h.createdAt).toBeLessThanOrEqual(Date.now());
      }
      expect((await store.pending(R2, 10)).map((h) => h.seq)).toEqual([1]);
      expect(await store.pending('local/s0/unknown', 10)).toEqual([]);
    });

    it('answers lastSeq: the newest seq stored, pending or acknowledged, 0 before any', async () => {
      const store = await make();
      expect(store.lastSeq(R1)).toBe(0);
      for (let i = 0; i < 3; i++) await store.append(R1, upsertHint(i));
      expect(store.lastSeq(R1)).toBe(3);
      await store.ack(R1, 3);
      expect(store.count(R1)).toBe(0);
      expect(store.lastSeq(R1)).toBe(3);
      await store.append(R1, upsertHint(9));
      expect((await store.pending(R1, 10))[0]!.seq).toBe(4);
      expect(store.lastSeq(R1)).toBe(4);
      expect(store.lastSeq(R2)).toBe(0);
    });

    it('answers pending oldest first, at most `limit`', async () => {
      const store = await make();
      for (let i = 0; i < 5; i++) await store.append(R1, upsertHint(i));
      expect((await store.pending(R1, 2)).map((h) => h.seq)).toEqual([1, 2]);
      expect((await store.pending(R1, 1)).map((h) => h.seq)).toEqual([1]);
      expect((await store.pending(R1, 99)).map((h) => h.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('acks every hint up to a seq, and counts what is left', async () => {
      const store = await make();
      for (let i = 0; i < 5; i++) await store.append(R1, upsertHint(i));
      await store.append(R2, deleteHint(['x']));
      expect(store.count(R1)).toBe(5);
      expect(store.replicas().sort()).toEqual([R1, R2]);

      await store.ack(R1, 2);
      expect(store.count(R1)).toBe(3);
      expect((await store.pending(R1, 10)).map((h) => h.seq)).toEqual([3, 4, 5]);
      await store.ack(R1, 2); // again: nothing changes
      await store.ack(R1, 0);
      expect(store.count(R1)).toBe(3);

      await store.ack(R1, 5);
      expect(store.count(R1)).toBe(0);
      expect(await store.pending(R1, 10)).toEqual([]);
      expect(store.replicas()).toEqual([R2]);
      await store.ack('never-seen', 3);
      expect(store.count('never-seen')).toBe(0);

      // Seqs are never reused after an ack, so an old seq cannot ack a newer hint.
      await store.append(R1, upsertHint(9));
      expect((await store.pending(R1, 10)).map((h) => h.seq)).toEqual([6]);
      await store.ack(R1, 100);
      expect(store.count(R1)).toBe(0);
      await store.append(R1, upsertHint(10));
      expect((await store.pending(R1, 10)).map((h) => h.seq)).toEqual([7]);
    });

    it('on overflow by hint count: discards every hint of the replica, marks it, stores nothing', async () => {
      const store = await make({ maxHintsPerReplica: 3 });
      for (let i = 0; i < 3; i++) expect(await store.append(R1, upsertHint(i))).toBe('stored');
      await store.append(R2, upsertHint(50));
      expect(store.needsRepair(R1)).toBe(false);

      expect(await store.append(R1, upsertHint(3))).toBe('overflow');
      expect(store.needsRepair(R1)).toBe(true);
      expect(store.count(R1)).toBe(0);
      expect(await store.pending(R1, 10)).toEqual([]);
      expect(store.replicas()).toEqual([R2]);
      // Other replicas are not affected.
      expect(store.needsRepair(R2)).toBe(false);
      expect(store.count(R2)).toBe(1);

      // While marked, appends answer overflow and store nothing, even small ones.
      expect(await store.append(R1, deleteHint(['a']))).toBe('overflow');
      expect(store.count(R1)).toBe(0);

      await store.clearNeedsRepair(R1);
      expect(store.needsRepair(R1)).toBe(false);
      expect(await store.append(R1, deleteHint(['a']))).toBe('stored');
      const [hint] = await store.pending(R1, 10);
      // Seqs continue past the discarded ones.
      expect(hint!.seq).toBeGreaterThan(3);
      await store.clearNeedsRepair('never-seen');
    });

    it('on overflow by points: counts points and ids inside hints', async () => {
      const store = await make({ maxPointsPerReplica: 10 });
      expect(await store.append(R1, upsertHint(0, 6))).toBe('stored');
      expect(await store.append(R1, deleteHint(['a', 'b', 'c', 'd']))).toBe('stored'); // 10
      expect(await store.append(R1, deleteHint(['e']))).toBe('overflow');
      expect(store.needsRepair(R1)).toBe(true);
      expect(store.count(R1)).toBe(0);

      await store.clearNeedsRepair(R1);
      // Acking frees room.
      expect(await store.append(R1, upsertHint(0, 6))).toBe('stored');
      const [first] = await store.pending(R1, 1);
      await store.ack(R1, first!.seq);
      expect(await store.append(R1, upsertHint(0, 10))).toBe('stored');
      // A hint heavier than the whole budget can never be kept.
      await store.ack(R1, 1000);
      expect(await store.append(R1, upsertHint(0, 11))).toBe('overflow');
      expect(store.needsRepair(R1)).toBe(true);
    });

    it('keeps its own copy: the caller may reuse its objects', async () => {
      const store = await make();
      const vector = Float32Array.of(1, 2, 3);
      const payload = { title: 'a', list: [1, 2] };
      const points: Point[] = [{ id: 'a', vector, payload }];
      const ids = ['x', 'y'];
      await store.append(R1, { collection: 'docs', op: 'upsert', points });
      await store.append(R1, { collection: 'docs', op: 'delete', ids });
      vector[0] = 99;
      payload.title = 'changed';
      payload.list.push(3);
      points.push({ id: 'b', vector: [0, 0, 0] });
      ids.push('z');
      const [upsert, del] = await store.pending(R1, 10);
      expect(Array.from(upsert!.points![0]!.vector)).toEqual([1, 2, 3]);
      expect(upsert!.points![0]!.payload).toEqual({ title: 'a', list: [1, 2] });
      expect(upsert!.points).toHaveLength(1);
      expect(del!.ids).toEqual(['x', 'y']);
    });

    it('returns Float32Array vectors with exactly the same float32 values', async () => {
      const store = await make();
      const vector = awkwardFloat32(64, 7);
      await store.append(R1, { collection: 'docs', op: 'upsert', points: [{ id: 1, vector }] });
      const [hint] = await store.pending(R1, 1);
      expect(bitsOf(hint!.points![0]!.vector)).toEqual(bitsOf(vector));
    });

    it('keeps call order under concurrent appends to one replica', async () => {
      const store = await make();
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.append(R1, upsertHint(i))),
      );
      expect(outcomes.every((o) => o === 'stored')).toBe(true);
      const hints = await store.pending(R1, 100);
      expect(hints.map((h) => h.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(hints.map((h) => h.points![0]!.id)).toEqual(
        Array.from({ length: 40 }, (_, i) => `p${i}`),
      );
    });

    it('under concurrent appends that overflow, stores a prefix and then marks', async () => {
      const store = await make({ maxHintsPerReplica: 5 });
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.append(R1, upsertHint(i))),
      );
      expect(outcomes).toEqual([
        ...Array<string>(5).fill('stored'),
        ...Array<string>(3).fill('overflow'),
      ]);
      expect(store.needsRepair(R1)).toBe(true);
      expect(store.count(R1)).toBe(0);
    });

    it('rejects malformed input with InvalidArgumentError naming it', async () => {
      const store = await make();
      const bad: [unknown, unknown, RegExp][] = [
        ['', upsertHint(0), /`replicaId`/],
        [R1, null, /`hint` must be an object/],
        [R1, { collection: '', op: 'upsert', points: [] }, /`hint.collection`/],
        [R1, { collection: 'docs', op: 'insert', points: [] }, /`hint.op`/],
        [R1, { collection: 'docs', op: 'upsert', points: [] }, /`hint.points` must be a non-empty/],
        [R1, { collection: 'docs', op: 'delete' }, /`hint.ids`/],
        [R1, { collection: 'docs', op: 'delete', ids: [1.5] }, /`hint.ids\[0\]`/],
        [
          R1,
          { collection: 'docs', op: 'upsert', points: [{ id: 'a', vector: [1, Number.NaN] }] },
          /`hint.points\[0\].vector\[1\]` must be a finite number/,
        ],
        [
          R1,
          { collection: 'docs', op: 'upsert', points: [{ id: 'a', vector: [1], payload: 3 }] },
          /`hint.points\[0\].payload`/,
        ],
      ];
      for (const [replica, hint, message] of bad) {
        const error = await store
          .append(replica as string, hint as HintInput)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message).toMatch(message);
      }
      await expect(store.pending(R1, 0)).rejects.toThrow(/`limit` must be an integer >= 1/);
      await expect(store.pending(R1, 1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.ack(R1, -1)).rejects.toThrow(/`seq` must be a non-negative integer/);
      expect(() => store.count('')).toThrow(InvalidArgumentError);
      expect(store.count(R1)).toBe(0);
    });

    it('after close, every call fails with ClosedError; close is idempotent', async () => {
      const store = await make();
      await store.append(R1, upsertHint(0));
      await store.close();
      await store.close();
      await expect(store.append(R1, upsertHint(1))).rejects.toBeInstanceOf(ClosedError);
      await expect(store.pending(R1, 1)).rejects.toBeInstanceOf(ClosedError);
      await expect(store.ack(R1, 1)).rejects.toBeInstanceOf(ClosedError);
      await expect(store.clearNeedsRepair(R1)).rejects.toBeInstanceOf(ClosedError);
      await expect(store.open()).rejects.toBeInstanceOf(ClosedError);
      expect(() => store.count(R1)).toThrow(ClosedError);
      expect(() => store.replicas()).toThrow(ClosedError);
      expect(() => store.needsRepair(R1)).toThrow(ClosedError);
    });
  });
}

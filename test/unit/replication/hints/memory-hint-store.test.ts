import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../../src/core/errors.js';
import type { HintStore } from '../../../../src/replication/hints/hint-store.js';
import { memoryHintStore } from '../../../../src/replication/hints/memory-hint-store.js';
import { describeHintStore, upsertHint } from './describe-hint-store.js';

const open: HintStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describeHintStore('memoryHintStore', async (limits) => {
  const store = memoryHintStore(limits);
  open.push(store);
  await store.open();
  return store;
});

describe('memoryHintStore', () => {
  it('uses the documented defaults and validates its options', () => {
    expect(memoryHintStore().limits).toEqual({
      maxHintsPerReplica: 10_000,
      maxPointsPerReplica: 100_000,
    });
    expect(() => memoryHintStore({ maxHintsPerReplica: 0 })).toThrow(InvalidOptionError);
    expect(() => memoryHintStore({ maxPointsPerReplica: 1.5 })).toThrow(
      /`memoryHintStore options.maxPointsPerReplica` must be an integer/,
    );
    expect(() => memoryHintStore({ maxHints: 3 } as never)).toThrow(/unknown option/);
  });

  it('is usable without open() (nothing to load)', async () => {
    const store = memoryHintStore();
    open.push(store);
    expect(store.count('r')).toBe(0);
    expect(await store.append('r', upsertHint(0))).toBe('stored');
  });

  it('keeps a Float32Array a Float32Array (half the memory of number[])', async () => {
    const store = memoryHintStore();
    open.push(store);
    await store.append('r', {
      collection: 'c',
      op: 'upsert',
      points: [{ id: 1, vector: Float32Array.of(1, 2) }],
    });
    const [hint] = await store.pending('r', 1);
    expect(hint!.points![0]!.vector).toBeInstanceOf(Float32Array);
  });

  it('stays bounded over a long run of appends and acks', async () => {
    const store = memoryHintStore({ maxHintsPerReplica: 50 });
    open.push(store);
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 10; i++) expect(await store.append('r', upsertHint(i))).toBe('stored');
      const hints = await store.pending('r', 10);
      await store.ack('r', hints.at(-1)!.seq);
    }
    expect(store.count('r')).toBe(0);
    expect(store.needsRepair('r')).toBe(false);
  });
});

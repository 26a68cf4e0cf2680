import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTopologyError } from '../../../src/core/errors.js';
import { murmur3_32 } from '../../../src/core/hash.js';
import { HashShardMap } from '../../../src/topology/hash-shard-map.js';
import { JumpShardMap, jumpBucket } from '../../../src/topology/jump-shard-map.js';
import { RendezvousShardMap } from '../../../src/topology/rendezvous-shard-map.js';
import { keyString } from '../../../src/topology/shard-key.js';
import { createShardMap } from '../../../src/topology/shard-map.js';
import {
  resolveShardingOptions,
  type ShardingStrategy,
} from '../../../src/topology/sharding-options.js';
import { makeKeys, shardNames } from './fixtures.js';

const HASHED: readonly Exclude<ShardingStrategy, 'range'>[] = [
  'hash',
  'consistent-hash',
  'jump',
  'rendezvous',
];

function mapFor(strategy: Exclude<ShardingStrategy, 'range'>, names: readonly string[]) {
  return createShardMap(resolveShardingOptions({ strategy }), names);
}

describe('createShardMap', () => {
  it('builds the map of each strategy, frozen', () => {
    for (const strategy of HASHED) {
      const map = mapFor(strategy, ['a', 'b']);
      expect(map.strategy).toBe(strategy);
      expect(map.shardNames).toEqual(['a', 'b']);
      expect(map.shardCount).toBe(2);
      expect(Object.isFrozen(map)).toBe(true);
      expect(Object.isFrozen(map.shardNames)).toBe(true);
      expect(map.shardsForRange({ low: 1, high: 2 })).toBeUndefined();
    }
    const range = createShardMap(resolveShardingOptions({ strategy: 'range', boundaries: [0] }), [
      'neg',
      'pos',
    ]);
    expect(range.strategy).toBe('range');
  });

  it.each([
    [[], '`shardNames` must be a non-empty array, received array of length 0'],
    [['a', 'a'], '`shardNames[1]` must be a string distinct from the others, received string "a"'],
    [['a', 3], '`shardNames[1]` must be a string distinct from the others, received number 3'],
  ])('rejects shard names %j', (names, message) => {
    const options = resolveShardingOptions({ strategy: 'jump' });
    expect(() => createShardMap(options, names as string[])).toThrow(InvalidTopologyError);
    expect(() => createShardMap(options, names as string[])).toThrow(message);
  });

  it('rejects range boundaries that do not fit the shard count', () => {
    const options = resolveShardingOptions({ strategy: 'range', boundaries: [10, 20] });
    expect(() => createShardMap(options, ['a', 'b'])).toThrow(
      'range sharding with 2 `sharding.boundaries` needs 3 shards, received 2',
    );
  });

  it('keeps the owners of pinned keys stable across versions', () => {
    // Changing any of these silently moves data between shards for existing users.
    const keys = ['doc-1', 'doc-2', 'doc-3', 1, 2, 3, 'é😀'];
    const owners = (strategy: Exclude<ShardingStrategy, 'range'>): number[] => {
      const map = mapFor(strategy, shardNames(5));
      return keys.map((k) => map.shardFor(k));
    };
    expect(owners('hash')).toEqual([3, 1, 0, 3, 0, 4, 1]);
    expect(owners('consistent-hash')).toEqual([0, 4, 3, 4, 2, 3, 1]);
    expect(owners('jump')).toEqual([3, 3, 0, 4, 4, 3, 4]);
    expect(owners('rendezvous')).toEqual([1, 2, 4, 2, 3, 1, 1]);
  });

  it('is deterministic, in range, and tells 1 from "1"', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HASHED),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (strategy, n, seed) => {
          const a = mapFor(strategy, shardNames(n));
          const b = mapFor(strategy, shardNames(n));
          for (const key of makeKeys(seed, 50)) {
            const shard = a.shardFor(key);
            expect(shard).toBe(b.shardFor(key));
            expect(Number.isInteger(shard) && shard >= 0 && shard < n).toBe(true);
          }
        },
      ),
      { numRuns: 200, seed: 42 },
    );
    // With 64 shards, the two keys land on the same shard by chance 1 time in 64 per map.
    const differ = HASHED.filter((s) => {
      const map = mapFor(s, shardNames(64));
      return map.shardFor(1) !== map.shardFor('1');
    });
    expect(differ.length).toBeGreaterThanOrEqual(3);
  });

  it('maps everything to the only shard of a one-shard map', () => {
    for (const strategy of HASHED) {
      const map = mapFor(strategy, ['only']);
      for (const key of makeKeys(1, 100)) expect(map.shardFor(key)).toBe(0);
    }
  });
});

describe('HashShardMap', () => {
  it('is murmur3 of the key string modulo n', () => {
    const map = new HashShardMap(shardNames(7));
    for (const key of makeKeys(3, 200)) {
      expect(map.shardFor(key)).toBe(murmur3_32(keyString(key)) % 7);
    }
  });
});

describe('JumpShardMap', () => {
  it('follows the jump recurrence on the key hash', () => {
    const map = new JumpShardMap(shardNames(9));
    for (const key of makeKeys(4, 200)) {
      expect(map.shardFor(key)).toBe(jumpBucket(murmur3_32(keyString(key)), 9));
    }
  });

  it('grows monotonically: a bucket only changes to the newly added one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (hash) => {
        let previous = jumpBucket(hash, 1);
        expect(previous).toBe(0);
        for (let n = 2; n <= 64; n++) {
          const bucket = jumpBucket(hash, n);
          expect(bucket === previous || bucket === n - 1).toBe(true);
          previous = bucket;
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('handles large bucket counts', () => {
    for (const hash of [0, 1, 0x7fffffff, 0xffffffff]) {
      const bucket = jumpBucket(hash, 1_000_000);
      expect(bucket >= 0 && bucket < 1_000_000).toBe(true);
    }
  });
});

describe('RendezvousShardMap', () => {
  it('does not depend on the order of the shard list', () => {
    const names = ['east', 'west', 'north', 'south', 'up'];
    const a = new RendezvousShardMap(names);
    const b = new RendezvousShardMap([...names].reverse());
    for (const key of makeKeys(5, 500)) {
      expect(a.shardNames[a.shardFor(key)]).toBe(b.shardNames[b.shardFor(key)]);
    }
  });

  it('only moves the keys of a removed shard', () => {
    const names = shardNames(8);
    const all = new RendezvousShardMap(names);
    const without = new RendezvousShardMap(names.filter((n) => n !== 's3'));
    for (const key of makeKeys(6, 2000)) {
      const before = all.shardNames[all.shardFor(key)];
      const after = without.shardNames[without.shardFor(key)];
      if (before !== 's3') expect(after).toBe(before);
    }
  });
});

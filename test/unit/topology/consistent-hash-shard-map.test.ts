import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTopologyError } from '../../../src/core/errors.js';
import { murmur3_32 } from '../../../src/core/hash.js';
import { ConsistentHashShardMap } from '../../../src/topology/consistent-hash-shard-map.js';
import { keyString } from '../../../src/topology/shard-key.js';
import type { ShardMap } from '../../../src/topology/shard-map.js';
import { makeKeys, referenceRing, referenceRingOwner, shardNames } from './fixtures.js';

describe('ConsistentHashShardMap', () => {
  it('has virtualNodes points per shard', () => {
    const map = new ConsistentHashShardMap(shardNames(5), 160);
    expect(map.ringSize).toBe(800);
    expect(map.virtualNodes).toBe(160);
    const asShardMap: ShardMap = map;
    expect(asShardMap.shardsForRange({ low: 'a' })).toBeUndefined();
  });

  it('agrees with a linear scan of a reference ring on random keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer(),
        (names, virtualNodes, seed) => {
          const map = new ConsistentHashShardMap(names, virtualNodes);
          const ring = referenceRing(names, virtualNodes);
          for (const key of makeKeys(seed, 100)) {
            expect(map.shardFor(key)).toBe(referenceRingOwner(ring, key));
          }
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it('gives a key whose hash equals a ring point to that point, and wraps past the last', () => {
    // keyString('x#3') is 's:x#3', the ring point of shard 's:x' number 3: a hash tie.
    const names = ['s:x', 's:y', 's:z'];
    const map = new ConsistentHashShardMap(names, 8);
    const ring = referenceRing(names, 8);
    for (const [owner, name] of names.entries()) {
      for (let v = 0; v < 8; v++) {
        expect(map.shardFor(`${name.slice(2)}#${v}`)).toBe(owner);
      }
    }
    // Keys hashing above the last point belong to the first point of the ring.
    const last = ring.points[ring.points.length - 1]!.hash;
    const wrapping = makeKeys(9, 5000).filter((k) => murmur3_32(keyString(k)) > last);
    expect(wrapping.length).toBeGreaterThan(0);
    for (const key of wrapping) expect(map.shardFor(key)).toBe(ring.points[0]!.owner);
  });

  it('does not depend on the order of the shard list', () => {
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    const a = new ConsistentHashShardMap(names, 160);
    const b = new ConsistentHashShardMap([...names].reverse(), 160);
    for (const key of makeKeys(11, 1000)) {
      expect(a.shardNames[a.shardFor(key)]).toBe(b.shardNames[b.shardFor(key)]);
    }
  });

  it('only moves the keys of a removed shard', () => {
    const names = shardNames(6);
    const all = new ConsistentHashShardMap(names, 160);
    const without = new ConsistentHashShardMap(
      names.filter((n) => n !== 's2'),
      160,
    );
    for (const key of makeKeys(12, 2000)) {
      const before = all.shardNames[all.shardFor(key)];
      if (before !== 's2') expect(without.shardNames[without.shardFor(key)]).toBe(before);
    }
  });

  it('builds a ring of 100 shards x 1000 virtual nodes', () => {
    const map = new ConsistentHashShardMap(shardNames(100), 1000);
    expect(map.ringSize).toBe(100_000);
  });

  it('refuses 2^21 shards or more', () => {
    const names = { length: 2 ** 21 } as unknown as readonly string[];
    expect(() => new ConsistentHashShardMap(names, 1)).toThrow(InvalidTopologyError);
  });
});

// Key movement when a shard is added; see statistics.ts for how the bounds were chosen.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createShardMap } from '../../../src/topology/shard-map.js';
import { resolveShardingOptions } from '../../../src/topology/sharding-options.js';
import { makeKeys, sampleKeys, shardNames } from './fixtures.js';
import {
  expectBinomial,
  expectedShares,
  mapFor,
  MOVE_KEYS,
  RING_TOLERANCE,
  RUNS,
  seed,
  shardCount,
  type Hashed,
} from './statistics.js';

describe('movement when a shard is added', () => {
  it.each<Hashed>(['consistent-hash', 'jump', 'rendezvous'])(
    '%s moves about 1/(n+1) of the keys',
    (strategy) => {
      fc.assert(
        fc.property(shardCount, seed, (n, s) => {
          const before = mapFor(strategy, n);
          const after = mapFor(strategy, n + 1);
          let moved = 0;
          for (const key of sampleKeys(s, MOVE_KEYS)) {
            if (before.shardFor(key) !== after.shardFor(key)) moved++;
          }
          // What moves is exactly what the new shard takes: its ring share, or 1/(n+1).
          const p = expectedShares(strategy, n + 1)[n]!;
          expect(Math.abs(p * (n + 1) - 1)).toBeLessThanOrEqual(RING_TOLERANCE);
          expectBinomial(moved, MOVE_KEYS, p);
        }),
        RUNS,
      );
    },
  );

  it('hash mod n moves most keys', () => {
    fc.assert(
      fc.property(shardCount, seed, (n, s) => {
        const before = mapFor('hash', n);
        const after = mapFor('hash', n + 1);
        const keys = makeKeys(s, 2000);
        const moved = keys.filter((k) => before.shardFor(k) !== after.shardFor(k)).length;
        // The theory says n/(n+1) >= 2/3; 1/2 leaves many standard deviations of room.
        expect(moved / keys.length).toBeGreaterThan(0.5);
      }),
      RUNS,
    );
  });
});

describe('keys only move to the new shard', () => {
  const names = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/), {
    minLength: 2,
    maxLength: 13,
  });

  it.each<'consistent-hash' | 'rendezvous'>(['consistent-hash', 'rendezvous'])(
    '%s, for any names and any insertion position',
    (strategy) => {
      const options = resolveShardingOptions({ strategy });
      fc.assert(
        fc.property(names, fc.nat(), seed, (all, position, s) => {
          const added = all[all.length - 1]!;
          const old = all.slice(0, -1);
          const grown = [...old];
          grown.splice(position % (old.length + 1), 0, added);
          const before = createShardMap(options, old);
          const after = createShardMap(options, grown);
          for (const key of makeKeys(s, 500)) {
            const from = before.shardNames[before.shardFor(key)];
            const to = after.shardNames[after.shardFor(key)];
            if (from !== to) expect(to).toBe(added);
          }
        }),
        RUNS,
      );
    },
  );

  it('jump, when the shard is appended', () => {
    const options = resolveShardingOptions({ strategy: 'jump' });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), seed, (n, s) => {
        const before = createShardMap(options, shardNames(n));
        const after = createShardMap(options, shardNames(n + 1));
        for (const key of makeKeys(s, 500)) {
          const to = after.shardFor(key);
          if (before.shardFor(key) !== to) expect(to).toBe(n);
        }
      }),
      RUNS,
    );
  });
});

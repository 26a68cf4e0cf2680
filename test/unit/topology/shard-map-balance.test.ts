// Balance of the hashed shard maps; see statistics.ts for how the bounds were chosen.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleKeys } from './fixtures.js';
import {
  expectBinomial,
  expectedShares,
  KEYS,
  mapFor,
  RING_TOLERANCE,
  ringShares,
  RUNS,
  seed,
  shardCount,
  type Hashed,
} from './statistics.js';

describe('balance', () => {
  it('the default consistent-hash rings give every shard 1/n +-25% of the ring', () => {
    for (let n = 2; n <= 17; n++) {
      for (const share of ringShares(n)) {
        expect(Math.abs(share * n - 1)).toBeLessThanOrEqual(RING_TOLERANCE);
      }
    }
  });

  it.each<Hashed>(['hash', 'consistent-hash', 'jump', 'rendezvous'])(
    '%s spreads 20k keys over 2..16 shards within 5.5 sd of each share',
    (strategy) => {
      fc.assert(
        fc.property(shardCount, seed, (n, s) => {
          const map = mapFor(strategy, n);
          const counts = new Array<number>(n).fill(0);
          for (const key of sampleKeys(s, KEYS)) counts[map.shardFor(key)]!++;
          const expected = expectedShares(strategy, n);
          for (let i = 0; i < n; i++) expectBinomial(counts[i]!, KEYS, expected[i]!);
        }),
        RUNS,
      );
    },
  );
});

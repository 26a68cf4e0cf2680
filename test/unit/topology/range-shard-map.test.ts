import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { RangeShardMap } from '../../../src/topology/range-shard-map.js';
import type { KeyRange } from '../../../src/topology/shard-map.js';

const numeric = new RangeShardMap(['low', 'mid', 'high'], [10, 20]);
const strings = new RangeShardMap(['a-f', 'g-o', 'p-z'], ['g', 'p']);

describe('RangeShardMap.shardFor', () => {
  it.each([
    [Number.MIN_SAFE_INTEGER, 0],
    [-1, 0],
    [9.999, 0],
    [10, 1],
    [15, 1],
    [19.999, 1],
    [20, 2],
    [1e300, 2],
  ])('puts %d on shard %d (shard i holds [b[i-1], b[i]))', (key, shard) => {
    expect(numeric.shardFor(key)).toBe(shard);
  });

  it.each([
    ['', 0],
    ['f', 0],
    ['fzzz', 0],
    ['g', 1],
    ['gaa', 1],
    ['o~', 1],
    ['p', 2],
    ['zzz', 2],
    ['G', 0], // upper case sorts before lower case by UTF-16 code units
    ['é', 2],
  ])('puts %j on shard %d', (key, shard) => {
    expect(strings.shardFor(key)).toBe(shard);
  });

  it('rejects keys of the other type, and non-finite numbers', () => {
    expect(() => numeric.shardFor('15')).toThrow(InvalidArgumentError);
    expect(() => numeric.shardFor('15')).toThrow(
      'a range shard map with number boundaries needs a finite number shard key, received string "15"',
    );
    expect(() => numeric.shardFor(Number.NaN)).toThrow('received number NaN');
    expect(() => numeric.shardFor(Number.POSITIVE_INFINITY)).toThrow('received number Infinity');
    expect(() => strings.shardFor(7)).toThrow(
      'a range shard map with string boundaries needs a string shard key, received number 7',
    );
  });

  it('exposes its key type and a frozen copy of the boundaries', () => {
    expect(numeric.keyType).toBe('number');
    expect(strings.keyType).toBe('string');
    expect(Object.isFrozen(numeric.boundaries)).toBe(true);
    expect(Object.isFrozen(numeric)).toBe(true);
  });

  it('works with a single boundary', () => {
    const map = new RangeShardMap(['neg', 'pos'], [0]);
    expect(map.shardFor(-0.5)).toBe(0);
    expect(map.shardFor(0)).toBe(1);
    expect(map.shardFor(-0)).toBe(1);
  });
});

describe('RangeShardMap.shardsForRange', () => {
  it.each<[KeyRange, number[]]>([
    [{}, [0, 1, 2]],
    [{ low: 10 }, [1, 2]],
    [{ low: 10, lowInclusive: false }, [1, 2]],
    [{ low: 9 }, [0, 1, 2]],
    [{ low: 20 }, [2]],
    [{ high: 10 }, [0, 1]],
    [{ high: 10, highInclusive: false }, [0]],
    [{ high: 9.5, highInclusive: false }, [0]],
    [{ high: 20, highInclusive: false }, [0, 1]],
    [{ low: 10, high: 20, highInclusive: false }, [1]],
    [{ low: 10, high: 20 }, [1, 2]],
    [{ low: 12, high: 18 }, [1]],
    [{ low: 15, high: 15 }, [1]],
    [{ low: 15, high: 15, lowInclusive: false }, []],
    [{ low: 15, high: 15, highInclusive: false }, []],
    [{ low: 25, high: 5 }, []],
    [{ low: Number.NEGATIVE_INFINITY }, [0, 1, 2]],
    [{ low: Number.POSITIVE_INFINITY }, [2]],
    [{ high: Number.NEGATIVE_INFINITY }, [0]],
    [{ low: 0, high: 100 }, [0, 1, 2]],
  ])('numeric %j -> %j', (range, shards) => {
    expect(numeric.shardsForRange(range)).toEqual(shards);
  });

  it.each<[KeyRange, number[]]>([
    [{ low: 'h' }, [1, 2]],
    [{ high: 'g', highInclusive: false }, [0]],
    [{ low: 'a', high: 'p' }, [0, 1, 2]],
    [{ low: 'a', high: 'p', highInclusive: false }, [0, 1]],
    [{ low: 'q', high: 'b' }, []],
  ])('strings %j -> %j', (range, shards) => {
    expect(strings.shardsForRange(range)).toEqual(shards);
  });

  it('rejects bounds of the other type and NaN', () => {
    expect(() => numeric.shardsForRange({ low: 'a' })).toThrow(InvalidArgumentError);
    expect(() => numeric.shardsForRange({ low: 'a' })).toThrow(
      '`range.low` of a range shard map with number boundaries must be a number (not NaN), received string "a"',
    );
    expect(() => numeric.shardsForRange({ high: Number.NaN })).toThrow('`range.high`');
    expect(() => strings.shardsForRange({ high: 3 })).toThrow(
      '`range.high` of a range shard map with string boundaries must be a string, received number 3',
    );
  });

  it('agrees with shardFor: every key in the range lives on a listed shard', () => {
    for (let low = 0; low <= 30; low += 2.5) {
      for (let high = low; high <= 30; high += 2.5) {
        const listed = numeric.shardsForRange({ low, high });
        for (let key = low; key <= high; key += 0.5) {
          expect(listed).toContain(numeric.shardFor(key));
        }
      }
    }
  });
});

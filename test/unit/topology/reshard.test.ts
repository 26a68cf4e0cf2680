import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { planReshard } from '../../../src/topology/reshard.js';
import { createShardMap } from '../../../src/topology/shard-map.js';
import { resolveShardingOptions } from '../../../src/topology/sharding-options.js';
import { makeKeys, shardNames } from './fixtures.js';

const ch = resolveShardingOptions({ strategy: 'consistent-hash' });
const points = (seed: number, count: number) =>
  makeKeys(seed, count).map((key, i) => ({ id: `p${i}`, key }));

describe('planReshard', () => {
  it('lists only the points whose owner changes, with shard names', () => {
    const from = createShardMap(ch, shardNames(4));
    const to = createShardMap(ch, shardNames(5));
    const input = points(1, 5000);
    const plan = planReshard(from, to, input);
    expect(plan.total).toBe(5000);
    expect(plan.moved).toBe(plan.moves.length);
    expect(plan.movedFraction).toBeCloseTo(plan.moved / 5000, 12);
    // Consistent hashing only moves keys to the new shard, about 1/5 of them.
    expect(plan.movedFraction).toBeGreaterThan(0.1);
    expect(plan.movedFraction).toBeLessThan(0.3);
    for (const move of plan.moves) {
      expect(move.toShard).toBe('s4');
      expect(move.fromShard).toBe(from.shardNames[from.shardFor(move.key)]);
    }
    const movedIds = new Set(plan.moves.map((m) => m.id));
    for (const { id, key } of input) {
      const same = from.shardNames[from.shardFor(key)] === to.shardNames[to.shardFor(key)];
      expect(movedIds.has(id)).toBe(!same);
    }
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.moves)).toBe(true);
  });

  it('compares owners by name, so reordering name-based shards moves nothing', () => {
    const names = ['a', 'b', 'c', 'd'];
    const rv = resolveShardingOptions({ strategy: 'rendezvous' });
    const from = createShardMap(rv, names);
    const to = createShardMap(rv, ['d', 'c', 'b', 'a']);
    expect(planReshard(from, to, points(2, 2000)).moved).toBe(0);
  });

  it('counts a renamed shard as a different shard', () => {
    const jump = resolveShardingOptions({ strategy: 'jump' });
    const from = createShardMap(jump, ['a', 'b', 'c']);
    const to = createShardMap(jump, ['a', 'b', 'c2']);
    const plan = planReshard(from, to, points(3, 3000));
    expect(plan.moves.every((m) => m.fromShard === 'c' && m.toShard === 'c2')).toBe(true);
    expect(plan.moved).toBe(points(3, 3000).filter((p) => from.shardFor(p.key) === 2).length);
  });

  it('moves almost everything under modulo hashing', () => {
    const hash = resolveShardingOptions({ strategy: 'hash' });
    const plan = planReshard(
      createShardMap(hash, shardNames(4)),
      createShardMap(hash, shardNames(5)),
      points(4, 4000),
    );
    expect(plan.movedFraction).toBeGreaterThan(0.7);
  });

  it('plans a range split', () => {
    const from = createShardMap(resolveShardingOptions({ strategy: 'range', boundaries: [100] }), [
      'low',
      'high',
    ]);
    const to = createShardMap(
      resolveShardingOptions({ strategy: 'range', boundaries: [100, 200] }),
      ['low', 'high', 'top'],
    );
    const input = [50, 150, 250, 99, 200].map((key) => ({ id: key, key }));
    const plan = planReshard(from, to, input);
    expect(plan.moves).toEqual([
      { id: 250, key: 250, fromShard: 'high', toShard: 'top' },
      { id: 200, key: 200, fromShard: 'high', toShard: 'top' },
    ]);
    expect(plan.movedFraction).toBeCloseTo(0.4, 12);
  });

  it('accepts any iterable, and an empty one', () => {
    const map = createShardMap(ch, shardNames(2));
    function* gen() {
      yield { id: 1, key: 1 };
      yield { id: 2, key: 2 };
    }
    expect(planReshard(map, map, gen()).total).toBe(2);
    expect(planReshard(map, map, [])).toEqual({ moves: [], total: 0, moved: 0, movedFraction: 0 });
  });

  it('lets a range map reject a key of the wrong type', () => {
    const range = createShardMap(resolveShardingOptions({ strategy: 'range', boundaries: [1] }), [
      'a',
      'b',
    ]);
    expect(() => planReshard(range, range, [{ id: 'x', key: 'x' }])).toThrow(InvalidArgumentError);
  });
});

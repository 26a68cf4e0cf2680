import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOp, FilterNode, FilterScalar } from '../../../src/core/filter-ast.js';
import { candidateShards } from '../../../src/topology/prune.js';
import { createShardMap } from '../../../src/topology/shard-map.js';
import { resolveShardingOptions } from '../../../src/topology/sharding-options.js';
import { shardNames } from './fixtures.js';

const cmp = (field: string, op: CompareOp, value: FilterScalar): FilterNode => ({
  kind: 'compare',
  field,
  op,
  value,
});
const isIn = (field: string, values: FilterScalar[], negated = false): FilterNode => ({
  kind: 'in',
  field,
  values,
  negated,
});
const and = (...children: FilterNode[]): FilterNode => ({ kind: 'and', children });
const or = (...children: FilterNode[]): FilterNode => ({ kind: 'or', children });
const not = (child: FilterNode): FilterNode => ({ kind: 'not', child });

const KEY = { field: 'tenant' } as const;
const hashMap = createShardMap(resolveShardingOptions({ strategy: 'rendezvous' }), shardNames(8));
// year < 2000 -> 0, [2000, 2010) -> 1, [2010, 2020) -> 2, >= 2020 -> 3
const years = createShardMap(
  resolveShardingOptions({ strategy: 'range', boundaries: [2000, 2010, 2020] }),
  shardNames(4),
);
const names = createShardMap(
  resolveShardingOptions({ strategy: 'range', boundaries: ['g', 'p'] }),
  shardNames(3),
);
const ALL8 = [0, 1, 2, 3, 4, 5, 6, 7];
const ALL4 = [0, 1, 2, 3];
const ALL3 = [0, 1, 2];

describe('candidateShards on hash-like maps', () => {
  it('visits every shard without a filter or with the id key', () => {
    expect(candidateShards(hashMap, KEY, undefined)).toEqual(ALL8);
    expect(candidateShards(hashMap, 'id', cmp('tenant', 'eq', 'acme'))).toEqual(ALL8);
  });

  it('names the shard of an eq on the key field', () => {
    expect(candidateShards(hashMap, KEY, cmp('tenant', 'eq', 'acme'))).toEqual([
      hashMap.shardFor('acme'),
    ]);
    expect(candidateShards(hashMap, KEY, cmp('tenant', 'eq', 7))).toEqual([hashMap.shardFor(7)]);
  });

  it('unites the shards of an in, sorted and without duplicates', () => {
    const values = ['a', 'b', 'c', 'd', 'e', 'a', 1, 2];
    const expected = [...new Set(values.map((v) => hashMap.shardFor(v)))].sort((x, y) => x - y);
    expect(candidateShards(hashMap, KEY, isIn('tenant', values))).toEqual(expected);
    expect(candidateShards(hashMap, KEY, isIn('tenant', []))).toEqual([]);
  });

  it('visits every shard for ne, nin, not, exists, ranges and other fields', () => {
    for (const filter of [
      cmp('tenant', 'ne', 'acme'),
      isIn('tenant', ['acme'], true),
      not(cmp('tenant', 'eq', 'acme')),
      { kind: 'exists', field: 'tenant', exists: true } as const,
      cmp('tenant', 'gt', 'a'),
      cmp('owner', 'eq', 'acme'),
      isIn('owner', ['acme']),
    ]) {
      expect(candidateShards(hashMap, KEY, filter)).toEqual(ALL8);
    }
  });

  it('intersects and, unites or', () => {
    const a = hashMap.shardFor('a');
    const b = hashMap.shardFor('b');
    expect(
      candidateShards(hashMap, KEY, and(cmp('tenant', 'eq', 'a'), cmp('year', 'gt', 3))),
    ).toEqual([a]);
    expect(
      candidateShards(hashMap, KEY, or(cmp('tenant', 'eq', 'a'), cmp('tenant', 'eq', 'b'))),
    ).toEqual([...new Set([a, b])].sort((x, y) => x - y));
    expect(
      candidateShards(hashMap, KEY, or(cmp('tenant', 'eq', 'a'), cmp('year', 'eq', 3))),
    ).toEqual(ALL8);
    const c = ['c', 'd', 'e', 'f'].find((v) => hashMap.shardFor(v) !== a)!;
    expect(
      candidateShards(hashMap, KEY, and(cmp('tenant', 'eq', 'a'), cmp('tenant', 'eq', c))),
    ).toEqual([]);
    expect(candidateShards(hashMap, KEY, and())).toEqual(ALL8);
    expect(candidateShards(hashMap, KEY, or())).toEqual(ALL8);
  });

  it('names no shard for values no stored key can have, without throwing', () => {
    for (const value of [true, false, null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(candidateShards(hashMap, KEY, cmp('tenant', 'eq', value))).toEqual([]);
    }
    expect(candidateShards(hashMap, KEY, isIn('tenant', [null, true, 'x']))).toEqual([
      hashMap.shardFor('x'),
    ]);
  });
});

describe('candidateShards on range maps', () => {
  it.each<[string, FilterNode, number[]]>([
    ['eq', cmp('tenant', 'eq', 2015), [2]],
    ['eq on a boundary', cmp('tenant', 'eq', 2010), [2]],
    ['gt', cmp('tenant', 'gt', 2015), [2, 3]],
    ['gte', cmp('tenant', 'gte', 2020), [3]],
    ['lt on a boundary', cmp('tenant', 'lt', 2010), [0, 1]],
    ['lte on a boundary', cmp('tenant', 'lte', 2010), [0, 1, 2]],
    ['a span', and(cmp('tenant', 'gte', 2001), cmp('tenant', 'lt', 2012)), [1, 2]],
    ['an empty span', and(cmp('tenant', 'gt', 2015), cmp('tenant', 'lt', 1990)), []],
    ['in', isIn('tenant', [1999, 2021]), [0, 3]],
    ['or of spans', or(cmp('tenant', 'lt', 1990), cmp('tenant', 'gte', 2025)), [0, 3]],
    ['not', not(cmp('tenant', 'lt', 2000)), ALL4],
    ['ne', cmp('tenant', 'ne', 2015), ALL4],
    ['gt Infinity', cmp('tenant', 'gt', Number.POSITIVE_INFINITY), [3]],
  ])('%s', (_, filter, expected) => {
    expect(candidateShards(years, KEY, filter)).toEqual(expected);
  });

  it('names no shard for operands of the wrong type (they match no stored key)', () => {
    for (const op of ['eq', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(candidateShards(years, KEY, cmp('tenant', op, '2015'))).toEqual([]);
      expect(candidateShards(names, KEY, cmp('tenant', op, 5))).toEqual([]);
    }
    expect(candidateShards(years, KEY, cmp('tenant', 'gt', Number.NaN))).toEqual([]);
    expect(candidateShards(years, KEY, cmp('tenant', 'gt', true))).toEqual([]);
    expect(candidateShards(years, KEY, isIn('tenant', ['2015', 2015]))).toEqual([2]);
    // ...while a wrong-type condition that is negated still allows every shard.
    expect(candidateShards(years, KEY, cmp('tenant', 'ne', '2015'))).toEqual(ALL4);
    expect(
      candidateShards(names, KEY, or(cmp('tenant', 'gt', 5), cmp('tenant', 'eq', 'q'))),
    ).toEqual([2]);
  });

  it('handles string boundaries', () => {
    expect(candidateShards(names, KEY, cmp('tenant', 'gte', 'h'))).toEqual([1, 2]);
    expect(candidateShards(names, KEY, cmp('tenant', 'lt', 'g'))).toEqual([0]);
    expect(candidateShards(names, KEY, undefined)).toEqual(ALL3);
  });

  it('never leaves out the shard of a matching key', () => {
    // Property: for a random conjunction/disjunction of numeric conditions, every key that
    // satisfies the filter lies on one of the candidate shards.
    const op = fc.constantFrom<CompareOp>('eq', 'ne', 'gt', 'gte', 'lt', 'lte');
    const value = fc.integer({ min: 1990, max: 2030 });
    const leaf = fc.tuple(op, value).map(([o, v]) => cmp('tenant', o, v));
    const node = fc.oneof(
      leaf,
      fc.array(leaf, { maxLength: 3 }).map((c) => and(...c)),
      fc.array(leaf, { maxLength: 3 }).map((c) => or(...c)),
    );
    const test = (f: FilterNode, k: number): boolean => {
      switch (f.kind) {
        case 'and':
          return f.children.every((c) => test(c, k));
        case 'or':
          return f.children.length === 0 || f.children.some((c) => test(c, k));
        case 'compare': {
          const v = f.value as number;
          const results = {
            eq: k === v,
            ne: k !== v,
            gt: k > v,
            gte: k >= v,
            lt: k < v,
            lte: k <= v,
          };
          return results[f.op];
        }
        default:
          return true;
      }
    };
    fc.assert(
      fc.property(node, (filter) => {
        const shards = candidateShards(years, KEY, filter);
        expect([...shards].sort((a, b) => a - b)).toEqual(shards);
        for (let k = 1985; k <= 2035; k++) {
          if (test(filter, k)) expect(shards).toContain(years.shardFor(k));
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

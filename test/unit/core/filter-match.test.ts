import { describe, expect, it } from 'vitest';
import { InvalidFilterError } from '../../../src/core/errors.js';
import type { Filter, FilterNode } from '../../../src/core/filter-ast.js';
import { matchesFilter, parseFilter } from '../../../src/core/filter.js';
import type { JsonValue, Payload } from '../../../src/core/types.js';
import {
  ARRAY_FILTER_CASES,
  ARRAY_FILTER_POINTS,
  FILTER_CASES,
  FILTER_POINTS,
  STRING_RANGE_CASES,
  STRING_RANGE_POINTS,
  type FilterCase,
  type LabelledPoint,
} from '../../conformance/fixtures.js';

const matches = (filter: Filter, payload: Payload | undefined): boolean =>
  matchesFilter(parseFilter(filter), payload);

function selected(points: readonly LabelledPoint[], filter: Filter): unknown[] {
  const node = parseFilter(filter);
  return points.filter((p) => matchesFilter(node, p.payload)).map((p) => p.id);
}

/** One payload per kind of value a field can hold, named for the truth tables. */
const VALUES: Record<string, JsonValue | undefined> = {
  missing: undefined,
  null: null,
  zero: 0,
  one: 1,
  minusOne: -1,
  a: 'a',
  b: 'b',
  oneString: '1',
  true: true,
  false: false,
  array: [1],
  object: { v: 1 },
};

/** The names of the VALUES whose payload `{ v: value }` matches the condition on `v`. */
function truth(condition: Filter[string]): string[] {
  const node = parseFilter({ v: condition });
  return Object.entries(VALUES)
    .filter(([, value]) => matchesFilter(node, value === undefined ? {} : { v: value }))
    .map(([name]) => name);
}

const ALL = Object.keys(VALUES);
const except = (...names: string[]): string[] => ALL.filter((n) => !names.includes(n));

describe('matchesFilter: conformance tables', () => {
  const tables: [string, readonly LabelledPoint[], readonly FilterCase[]][] = [
    ['operators', FILTER_POINTS, FILTER_CASES],
    ['arrays and objects', ARRAY_FILTER_POINTS, ARRAY_FILTER_CASES],
    ['string ranges', STRING_RANGE_POINTS, STRING_RANGE_CASES],
  ];
  for (const [name, points, cases] of tables) {
    it.each(cases.map((c) => [JSON.stringify(c.filter), c] as const))(`${name}: %s`, (_t, c) => {
      expect(selected(points, c.filter)).toEqual(c.expected);
    });
  }
});

describe('matchesFilter: truth tables', () => {
  it.each<[string, Filter[string], string[]]>([
    ['$eq 1', 1, ['one']],
    ['$eq "1"', '1', ['oneString']],
    ['$eq 0', { $eq: 0 }, ['zero']],
    ['$eq true', true, ['true']],
    ['$eq false', false, ['false']],
    ['$eq null', null, ['null']],
    ['$ne 1', { $ne: 1 }, except('one')],
    ['$ne null', { $ne: null }, except('null')],
    ['$ne "a"', { $ne: 'a' }, except('a')],
    ['$gt 0', { $gt: 0 }, ['one']],
    ['$gte 0', { $gte: 0 }, ['zero', 'one']],
    ['$lt 0', { $lt: 0 }, ['minusOne']],
    ['$lte 0', { $lte: 0 }, ['zero', 'minusOne']],
    ['$gt "a"', { $gt: 'a' }, ['b']],
    ['$gte "a"', { $gte: 'a' }, ['a', 'b']],
    ['$lt "b"', { $lt: 'b' }, ['a', 'oneString']],
    ['$lte "1"', { $lte: '1' }, ['oneString']],
    ['$gt -1 and $lt 1', { $gt: -1, $lt: 1 }, ['zero']],
    ['$in [1, "a", null]', { $in: [1, 'a', null] }, ['null', 'one', 'a']],
    ['$in [true]', { $in: [true] }, ['true']],
    ['$nin [1, "a", null]', { $nin: [1, 'a', null] }, except('null', 'one', 'a')],
    ['$exists true', { $exists: true }, except('missing')],
    ['$exists false', { $exists: false }, ['missing']],
  ])('%s', (_name, condition, expected) => {
    expect(truth(condition).sort()).toEqual([...expected].sort());
  });

  it('$ne and $nin are exactly NOT $eq and NOT $in', () => {
    for (const operand of [0, 1, 'a', '1', true, false, null]) {
      expect(truth({ $ne: operand })).toEqual(except(...truth({ $eq: operand })));
      expect(truth({ $nin: [operand] })).toEqual(except(...truth({ $in: [operand] })));
    }
  });

  it('combines with $and, $or and $not', () => {
    const p = { a: 1, b: 'x' };
    expect(matches({ $and: [{ a: 1 }, { b: 'x' }] }, p)).toBe(true);
    expect(matches({ $and: [{ a: 1 }, { b: 'y' }] }, p)).toBe(false);
    expect(matches({ $or: [{ a: 2 }, { b: 'x' }] }, p)).toBe(true);
    expect(matches({ $or: [{ a: 2 }, { b: 'y' }] }, p)).toBe(false);
    expect(matches({ $not: { a: 1 } }, p)).toBe(false);
    expect(matches({ $not: { $not: { a: 1 } } }, p)).toBe(true);
    expect(matches({ $not: { a: 1, b: 'y' } }, p)).toBe(true);
  });

  it('matches everything without a filter, and treats a missing payload as {}', () => {
    expect(matchesFilter(undefined, undefined)).toBe(true);
    expect(matchesFilter(undefined, { a: 1 })).toBe(true);
    expect(matches({ a: { $exists: false } }, undefined)).toBe(true);
    expect(matches({ a: { $ne: 1 } }, undefined)).toBe(true);
    expect(matches({ a: 1 }, undefined)).toBe(false);
  });

  it('looks up large $in lists through a set with the same semantics', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const node = parseFilter({ v: { $in: [...values, 'x', null] } });
    const nin = parseFilter({ v: { $nin: values } });
    expect(matchesFilter(node, { v: 50 })).toBe(true);
    expect(matchesFilter(node, { v: 'x' })).toBe(true);
    expect(matchesFilter(node, { v: null })).toBe(true);
    expect(matchesFilter(node, { v: '50' })).toBe(false);
    expect(matchesFilter(node, { v: 1000 })).toBe(false);
    expect(matchesFilter(node, { v: [50] })).toBe(false);
    expect(matchesFilter(node, {})).toBe(false);
    expect(matchesFilter(nin, { v: 50 })).toBe(false);
    expect(matchesFilter(nin, {})).toBe(true);
  });
});

describe('matchesFilter: own properties only', () => {
  it('does not see Object.prototype members as fields', () => {
    expect(matches({ constructor: { $exists: true } }, {})).toBe(false);
    expect(matches({ toString: { $exists: false } }, {})).toBe(true);
    expect(matches({ constructor: { $ne: 1 } }, {})).toBe(true);
    expect(matches({ hasOwnProperty: { $nin: [1] } }, {})).toBe(true);
    expect(matches({ valueOf: { $in: [1] } }, {})).toBe(false);
  });

  it('reads __proto__, constructor and hasOwnProperty when they are own keys', () => {
    const payload = JSON.parse(
      '{"__proto__": 5, "constructor": "c", "hasOwnProperty": 1}',
    ) as Payload;
    const proto = JSON.parse('{"__proto__": 5}') as Filter;
    expect(matchesFilter(parseFilter(proto), payload)).toBe(true);
    expect(matchesFilter(parseFilter(proto), {})).toBe(false);
    expect(matches({ constructor: 'c' }, payload)).toBe(true);
    expect(matches({ hasOwnProperty: { $gte: 1 } }, payload)).toBe(true);
  });

  it('ignores inherited fields of the payload', () => {
    const inherited = Object.create({ year: 2020 }) as Payload;
    expect(matches({ year: 2020 }, inherited)).toBe(false);
    expect(matches({ year: { $exists: false } }, inherited)).toBe(true);
    const bare = Object.create(null) as Payload;
    bare.year = 2020;
    expect(matches({ year: 2020 }, bare)).toBe(true);
  });

  it('rejects a node of an unknown kind', () => {
    const bogus = { kind: 'regex', field: 'a' } as unknown as FilterNode;
    expect(() => matchesFilter(bogus, {})).toThrow(InvalidFilterError);
  });
});

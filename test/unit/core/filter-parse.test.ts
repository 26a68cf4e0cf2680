import { describe, expect, it } from 'vitest';
import { InvalidFilterError } from '../../../src/core/errors.js';
import type { FilterNode } from '../../../src/core/filter-ast.js';
import {
  MAX_FILTER_DEPTH,
  MAX_FILTER_IN_VALUES,
  MAX_FILTER_NODES,
  MAX_FILTER_TOTAL_VALUES,
  parseFilter,
} from '../../../src/core/filter.js';

/** Expects `parseFilter(input)` to throw an InvalidFilterError whose message contains `message`. */
function expectInvalid(input: unknown, message: string | RegExp, path?: string): void {
  let caught: unknown;
  try {
    parseFilter(input, path);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvalidFilterError);
  if (typeof message === 'string') expect((caught as Error).message).toContain(message);
  else expect((caught as Error).message).toMatch(message);
}

function nest(depth: number): Record<string, unknown> {
  let f: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < depth; i++) f = { $not: f };
  return f;
}

describe('parseFilter: trees', () => {
  it('answers undefined for no filter and for {}', () => {
    expect(parseFilter(undefined)).toBeUndefined();
    expect(parseFilter({})).toBeUndefined();
  });

  it('turns a bare scalar into $eq', () => {
    expect(parseFilter({ lang: 'en' })).toEqual({
      kind: 'compare',
      field: 'lang',
      op: 'eq',
      value: 'en',
    });
    expect(parseFilter({ tag: null })).toEqual({
      kind: 'compare',
      field: 'tag',
      op: 'eq',
      value: null,
    });
    expect(parseFilter({ draft: false })).toMatchObject({ op: 'eq', value: false });
  });

  it('maps every operator', () => {
    const tree = parseFilter({
      a: { $eq: 1 },
      b: { $ne: 'x' },
      c: { $gt: 1, $gte: 'b', $lt: 3, $lte: 4 },
      d: { $in: [1, 'x', null, true] },
      e: { $nin: ['y'] },
      f: { $exists: false },
    });
    const expected: FilterNode = {
      kind: 'and',
      children: [
        { kind: 'compare', field: 'a', op: 'eq', value: 1 },
        { kind: 'compare', field: 'b', op: 'ne', value: 'x' },
        { kind: 'compare', field: 'c', op: 'gt', value: 1 },
        { kind: 'compare', field: 'c', op: 'gte', value: 'b' },
        { kind: 'compare', field: 'c', op: 'lt', value: 3 },
        { kind: 'compare', field: 'c', op: 'lte', value: 4 },
        { kind: 'in', field: 'd', values: [1, 'x', null, true], negated: false },
        { kind: 'in', field: 'e', values: ['y'], negated: true },
        { kind: 'exists', field: 'f', exists: false },
      ],
    };
    expect(tree).toEqual(expected);
  });

  it('flattens $and into the enclosing AND and nested $or into one OR', () => {
    expect(parseFilter({ x: 1, $and: [{ y: 2 }, { z: 3, w: 4 }] })).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', field: 'x', op: 'eq', value: 1 },
        { kind: 'compare', field: 'y', op: 'eq', value: 2 },
        { kind: 'compare', field: 'z', op: 'eq', value: 3 },
        { kind: 'compare', field: 'w', op: 'eq', value: 4 },
      ],
    });
    expect(parseFilter({ $or: [{ $or: [{ a: 1 }, { b: 2 }] }, { c: 3 }] })).toEqual({
      kind: 'or',
      children: [
        { kind: 'compare', field: 'a', op: 'eq', value: 1 },
        { kind: 'compare', field: 'b', op: 'eq', value: 2 },
        { kind: 'compare', field: 'c', op: 'eq', value: 3 },
      ],
    });
  });

  it('keeps a one-element $or or $and as its only child, and wraps $not', () => {
    expect(parseFilter({ $or: [{ a: 1 }] })).toEqual(parseFilter({ a: 1 }));
    expect(parseFilter({ $and: [{ a: 1 }] })).toEqual(parseFilter({ a: 1 }));
    expect(parseFilter({ $not: { a: 1, b: 2 } })).toEqual({
      kind: 'not',
      child: {
        kind: 'and',
        children: [
          { kind: 'compare', field: 'a', op: 'eq', value: 1 },
          { kind: 'compare', field: 'b', op: 'eq', value: 2 },
        ],
      },
    });
  });

  it('returns a frozen tree that does not share the input arrays', () => {
    const values = ['en', 'fr'];
    const tree = parseFilter({ lang: { $in: values }, $or: [{ a: 1 }, { b: 2 }] });
    expect(Object.isFrozen(tree)).toBe(true);
    const and = tree as Extract<FilterNode, { kind: 'and' }>;
    expect(Object.isFrozen(and.children)).toBe(true);
    const inNode = and.children[0] as Extract<FilterNode, { kind: 'in' }>;
    expect(Object.isFrozen(inNode.values)).toBe(true);
    values.push('de');
    expect(inNode.values).toEqual(['en', 'fr']);
  });

  it('accepts Object.create(null) objects and field names that shadow Object.prototype', () => {
    const f: unknown = Object.assign(Object.create(null) as object, { constructor: 1 });
    expect(parseFilter(f)).toMatchObject({ field: 'constructor', value: 1 });
    expect(parseFilter(JSON.parse('{"__proto__": {"$exists": true}}'))).toEqual({
      kind: 'exists',
      field: '__proto__',
      exists: true,
    });
  });

  it('accepts filters at the limits', () => {
    expect(() => parseFilter(nest(MAX_FILTER_DEPTH))).not.toThrow();
    const values = Array.from({ length: MAX_FILTER_IN_VALUES }, (_, i) => i);
    expect(() => parseFilter({ a: { $in: values } })).not.toThrow();
    const wide = Object.fromEntries(
      Array.from({ length: MAX_FILTER_NODES - 1 }, (_, i) => [`f${i}`, i]),
    );
    expect(() => parseFilter(wide)).not.toThrow(); // n conditions + 1 AND
  });
});

describe('parseFilter: errors', () => {
  const holey: unknown[] = [1];
  holey[2] = 2;

  it.each<[string, unknown, string]>([
    ['a non-object filter', 'year', '`filter` must be a plain object, received string "year"'],
    ['null', null, '`filter` must be a plain object, received null'],
    ['an array', [{ a: 1 }], '`filter` must be a plain object, received array of length 1'],
    ['a Date', new Date(0), '`filter` must be a plain object, received object Date'],
    [
      'a class instance',
      new (class Box {
        readonly v = 1;
      })(),
      'received object Box',
    ],
    [
      'a wrong operand type',
      { year: { $gte: true } },
      '`filter.year.$gte` must be a number or string, received boolean true',
    ],
    [
      'a null range operand',
      { year: { $lt: null } },
      '`filter.year.$lt` must be a number or string, received null',
    ],
    ['an empty $or', { $or: [] }, '`filter.$or` must be a non-empty array'],
    ['an empty $and', { $and: [] }, '`filter.$and` must be a non-empty array'],
    [
      'a non-array $or',
      { $or: { a: 1 } },
      '`filter.$or` must be a non-empty array, received object',
    ],
    ['an empty sub-filter', { $or: [{}, { a: 1 }] }, '`filter.$or[0]` must be a non-empty filter'],
    ['an empty $not', { $not: {} }, '`filter.$not` must be a non-empty filter'],
    ['a non-object $not', { $not: [{ a: 1 }] }, '`filter.$not` must be a plain object'],
    [
      'an unknown operator',
      { title: { $regex: 'x' } },
      'unknown operator `$regex` at `filter.title`',
    ],
    ['an unknown top-level operator', { $where: 'x' }, 'unknown operator `$where` at `filter`'],
    [
      'a nested field',
      { a: { b: 1 } },
      'unknown operator `b` at `filter.a`: operators start with `$` and nested fields are not supported',
    ],
    [
      'a dotted field name',
      { 'a.b': 1 },
      'invalid field name `a.b` at `filter`: field names match /^[A-Za-z_][A-Za-z0-9_]*$/',
    ],
    ['a field name starting with a digit', { '1a': 1 }, 'invalid field name `1a` at `filter`'],
    ['an empty field name', { '': 1 }, 'invalid field name `` at `filter`'],
    ['an array condition', { tags: ['a'] }, 'use `$in` to match one of several values'],
    [
      'an undefined condition',
      { a: undefined },
      '`filter.a` must be a string, number, boolean, null',
    ],
    ['a Date condition', { a: new Date(0) }, 'received object Date'],
    ['an empty operator object', { a: {} }, '`filter.a` must hold at least one operator'],
    ['NaN', { a: Number.NaN }, '`filter.a` must be a finite number, received number NaN'],
    ['Infinity in $gt', { a: { $gt: Infinity } }, '`filter.a.$gt` must be a finite number'],
    ['-Infinity in $eq', { a: { $eq: -Infinity } }, '`filter.a.$eq` must be a finite number'],
    ['NaN in $in', { a: { $in: [1, NaN] } }, '`filter.a.$in[1]` must be a finite number'],
    ['an object in $in', { a: { $in: [{}] } }, '`filter.a.$in[0]` must be a string, number'],
    ['a hole in $in', { a: { $in: holey } }, '`filter.a.$in[1]` must be a string, number'],
    ['an empty $in', { a: { $in: [] } }, '`filter.a.$in` must be a non-empty array'],
    ['a non-array $nin', { a: { $nin: 'x' } }, '`filter.a.$nin` must be a non-empty array'],
    ['a non-boolean $exists', { a: { $exists: 1 } }, '`filter.a.$exists` must be a boolean'],
    [
      'a bigint',
      { a: 1n },
      '`filter.a` must be a string, number, boolean or null, received bigint 1',
    ],
    ['an object $eq', { a: { $eq: { b: 1 } } }, '`filter.a.$eq` must be a string, number'],
    [
      'a deep path',
      { $or: [{ a: 1 }, { $and: [{ b: { $lte: false } }] }] },
      '`filter.$or[1].$and[0].b.$lte` must be a number or string, received boolean false',
    ],
  ])('rejects %s', (_what, input, message) => {
    expectInvalid(input, message);
  });

  it('names a custom root path', () => {
    expectInvalid({ a: { $gt: [] } }, '`options.filter.a.$gt`', 'options.filter');
  });

  it('rejects a filter nested deeper than the limit, without overflowing the stack', () => {
    expectInvalid(nest(MAX_FILTER_DEPTH + 1), `nests deeper than ${MAX_FILTER_DEPTH} levels`);
    expectInvalid(nest(100_000), `nests deeper than ${MAX_FILTER_DEPTH} levels`);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.$not = cyclic;
    expectInvalid(cyclic, 'nests deeper');
  });

  it('rejects a filter with too many nodes', () => {
    const wide = Object.fromEntries(
      Array.from({ length: MAX_FILTER_NODES + 1 }, (_, i) => [`f${i}`, i]),
    );
    expectInvalid(wide, `\`filter\` has more than ${MAX_FILTER_NODES} conditions`);
    const ors = { $or: Array.from({ length: MAX_FILTER_NODES }, (_, i) => ({ a: i, b: i })) };
    expectInvalid(ors, `more than ${MAX_FILTER_NODES}`);
  });

  it('rejects $in lists beyond the limits', () => {
    const big = Array.from({ length: MAX_FILTER_IN_VALUES + 1 }, (_, i) => i);
    expectInvalid(
      { a: { $nin: big } },
      `\`filter.a.$nin\` may hold at most ${MAX_FILTER_IN_VALUES} values, received array of length ${MAX_FILTER_IN_VALUES + 1}`,
    );
    const full = Array.from({ length: MAX_FILTER_IN_VALUES }, (_, i) => i);
    const many = Object.fromEntries(
      Array.from({ length: MAX_FILTER_TOTAL_VALUES / MAX_FILTER_IN_VALUES + 1 }, (_, i) => [
        `f${i}`,
        { $in: full },
      ]),
    );
    expectInvalid(many, `may hold at most ${MAX_FILTER_TOTAL_VALUES}`);
  });
});

/**
 * Filter compilation of the Qdrant adapter: the exact JSON for each operator, and, through a
 * small evaluator of Qdrant's documented filter semantics (a `match` or `range` on an array
 * matches when any element does; `match.value` integers match integers only; `should` needs one
 * match, `must_not` none), the same selections as the portable language over the conformance
 * suite's tables.
 */
import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  type QdrantCondition,
  type QdrantFilter,
} from '../../../../src/backends/qdrant/qdrant-filter.js';
import { toStoredPayload } from '../../../../src/backends/qdrant/qdrant-payload.js';
import { InvalidFilterError } from '../../../../src/core/errors.js';
import type { Filter } from '../../../../src/core/filter-ast.js';
import { parseFilter } from '../../../../src/core/filter.js';
import { idKey } from '../../../../src/core/ids.js';
import type { PointId } from '../../../../src/core/types.js';
import {
  ARRAY_FILTER_CASES,
  ARRAY_FILTER_POINTS,
  FILTER_CASES,
  FILTER_POINTS,
  STRING_RANGE_CASES,
  STRING_RANGE_POINTS,
  type FilterCase,
  type LabelledPoint,
} from '../../../conformance/fixtures.js';

const compile = (f: Filter): QdrantFilter => compileFilter(parseFilter(f)!);
const T = '__vecmesh_types';

// --- A model of Qdrant's filter semantics, from its filtering documentation. ---

function valuesAt(payload: Record<string, unknown>, key: string): unknown[] {
  let value: unknown = payload;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    if (!Object.hasOwn(value, part)) return [];
    value = (value as Record<string, unknown>)[part];
  }
  return Array.isArray(value) ? value : [value];
}

function matchesOne(stored: unknown, wanted: unknown): boolean {
  if (typeof wanted === 'number') {
    // Qdrant's integer match: integer payload values only.
    return typeof stored === 'number' && Number.isInteger(stored) && stored === wanted;
  }
  return stored === wanted;
}

function holds(c: QdrantCondition, payload: Record<string, unknown>): boolean {
  if ('key' in c) {
    const values = valuesAt(payload, c.key);
    if (c.match !== undefined) {
      const wanted: readonly unknown[] = 'any' in c.match ? c.match.any : [c.match.value];
      return values.some((v) => wanted.some((w) => matchesOne(v, w)));
    }
    const r = c.range!;
    return values.some(
      (v) =>
        typeof v === 'number' &&
        (r.gt === undefined || v > r.gt) &&
        (r.gte === undefined || v >= r.gte) &&
        (r.lt === undefined || v < r.lt) &&
        (r.lte === undefined || v <= r.lte),
    );
  }
  const must = c.must ?? [];
  const should = c.should ?? [];
  const mustNot = c.must_not ?? [];
  return (
    must.every((x) => holds(x, payload)) &&
    (should.length === 0 || should.some((x) => holds(x, payload))) &&
    !mustNot.some((x) => holds(x, payload))
  );
}

function select(points: readonly LabelledPoint[], filter: Filter): string[] {
  const compiled = compile(filter);
  return points
    .filter((p) => holds(compiled, toStoredPayload(p.id, p.payload, 'payload')))
    .map((p) => idKey(p.id))
    .sort();
}

const keys = (ids: readonly PointId[]): string[] => ids.map(idKey).sort();

function checkTable(points: readonly LabelledPoint[], cases: readonly FilterCase[]): void {
  for (const c of cases) {
    expect(select(points, c.filter), JSON.stringify(c.filter)).toEqual(keys(c.expected));
  }
}

describe('qdrant filter compilation', () => {
  it('selects what the portable language selects, for every operator of the table', () => {
    checkTable(FILTER_POINTS, FILTER_CASES);
  });

  it('scalar operators never match arrays or objects', () => {
    checkTable(ARRAY_FILTER_POINTS, ARRAY_FILTER_CASES);
  });

  it('numeric ranges match numbers only; string ranges are refused', () => {
    for (const c of STRING_RANGE_CASES) {
      const operands: unknown[] = Object.values(c.filter).flatMap((cond) =>
        Object.values(cond as Record<string, unknown>),
      );
      if (operands.every((v) => typeof v === 'number')) {
        expect(select(STRING_RANGE_POINTS, c.filter)).toEqual(keys(c.expected));
      } else {
        expect(() => compile(c.filter), JSON.stringify(c.filter)).toThrow(InvalidFilterError);
      }
    }
    expect(() => compile({ name: { $gt: 'b' } })).toThrow(/name.*cannot compare strings/);
  });

  it('equality of a string pairs a keyword match with the type tag', () => {
    expect(compile({ lang: 'en' })).toEqual({
      must: [
        { key: 'lang', match: { value: 'en' } },
        { key: `${T}.lang`, match: { value: 's' } },
      ],
    });
  });

  it('equality of a number is a closed range (floats included)', () => {
    expect(compile({ score: 1.5 })).toEqual({
      must: [
        { key: 'score', range: { gte: 1.5, lte: 1.5 } },
        { key: `${T}.score`, match: { value: 'n' } },
      ],
    });
  });

  it('booleans match by value; null is the null tag, apart from a missing field', () => {
    expect(compile({ draft: true })).toEqual({
      must: [
        { key: 'draft', match: { value: true } },
        { key: `${T}.draft`, match: { value: 'b' } },
      ],
    });
    expect(compile({ tag: null })).toEqual({ must: [{ key: `${T}.tag`, match: { value: 'z' } }] });
    expect(compile({ tag: { $ne: null } })).toEqual({
      must_not: [{ key: `${T}.tag`, match: { value: 'z' } }],
    });
  });

  it('ordering operators become range bounds on numbers', () => {
    expect(compile({ year: { $gt: 1, $lte: 9 } })).toEqual({
      must: [
        {
          must: [
            { key: 'year', range: { gt: 1 } },
            { key: `${T}.year`, match: { value: 'n' } },
          ],
        },
        {
          must: [
            { key: 'year', range: { lte: 9 } },
            { key: `${T}.year`, match: { value: 'n' } },
          ],
        },
      ],
    });
  });

  it('$in groups strings and integers into match-any, other scalars into should', () => {
    expect(compile({ v: { $in: ['a', 'b', 1, 2, 2.5, false, null] } })).toEqual({
      should: [
        {
          must: [
            { key: 'v', match: { any: ['a', 'b'] } },
            { key: `${T}.v`, match: { value: 's' } },
          ],
        },
        {
          must: [
            { key: 'v', match: { any: [1, 2] } },
            { key: `${T}.v`, match: { value: 'n' } },
          ],
        },
        {
          must: [
            { key: 'v', range: { gte: 2.5, lte: 2.5 } },
            { key: `${T}.v`, match: { value: 'n' } },
          ],
        },
        {
          must: [
            { key: 'v', match: { value: false } },
            { key: `${T}.v`, match: { value: 'b' } },
          ],
        },
        { key: `${T}.v`, match: { value: 'z' } },
      ],
    });
    expect(compile({ v: { $nin: ['a'] } })).toEqual({
      must_not: [
        {
          must: [
            { key: 'v', match: { any: ['a'] } },
            { key: `${T}.v`, match: { value: 's' } },
          ],
        },
      ],
    });
  });

  it('$exists looks at the type tag, whatever the value', () => {
    const present = { key: `${T}.tag`, match: { any: ['s', 'n', 'b', 'z', 'a', 'o'] } };
    expect(compile({ tag: { $exists: true } })).toEqual({ must: [present] });
    expect(compile({ tag: { $exists: false } })).toEqual({ must_not: [present] });
  });

  it('nests $and, $or and $not as must, should and must_not', () => {
    const en = compile({ lang: 'en' });
    const fr = compile({ lang: 'fr' });
    expect(compile({ $or: [{ lang: 'en' }, { $not: { lang: 'fr' } }] })).toEqual({
      should: [en, { must_not: [fr] }],
    });
    expect(compile({ $and: [{ lang: 'en' }, { lang: 'fr' }] })).toEqual({ must: [en, fr] });
  });

  it('passes unicode, quotes and backslashes through unchanged', () => {
    const text = 'héllo "wörld" — \\ 日本語 🚀 \u0000';
    const compiled = compile({ title: text });
    expect(compiled.must![0]).toEqual({ key: 'title', match: { value: text } });
    expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
  });

  it('refuses conditions on the reserved keys', () => {
    expect(() => compile({ __vecmesh_id: 'a' })).toThrow(InvalidFilterError);
    expect(() => compile({ __vecmesh_types: { $exists: true } })).toThrow(/reserves/);
  });
});

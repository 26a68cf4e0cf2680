/**
 * Data and expected answers of the conformance suite. The expected ids follow the semantics
 * documented in `src/core/filter-ast.ts`; the unit tests check the reference evaluator against
 * the same tables.
 *
 * @module
 */
import type { Filter } from '../../src/core/filter-ast.js';
import type { Payload, PointId } from '../../src/core/types.js';

/** A point whose vector the suite chooses; only its id and payload matter. */
export interface LabelledPoint {
  readonly id: PointId;
  readonly payload?: Payload;
}

/** A filter and the ids it must select. */
export interface FilterCase {
  readonly filter: Filter;
  readonly expected: readonly PointId[];
}

/** Points with ids of every kind and payloads exercising JSON round-trips (dimension 3). */
export const ROUND_TRIP_POINTS: readonly {
  id: PointId;
  vector: number[];
  payload?: Payload;
}[] = [
  {
    id: 'doc-1',
    vector: [0.5, -1.25, 3],
    payload: {
      title: 'Dune',
      year: 1965,
      rating: 4.5,
      tags: ['sf', 'classic'],
      nested: { a: { b: [1, { c: null }, 'x'] } },
      ok: true,
      none: null,
    },
  },
  {
    id: 42,
    vector: [1, 2, 3],
    payload: {
      text: 'héllo wörld — ✓ 日本語 🚀 \u0000 "quoted" \\ back',
      'key with spaces': 'v',
      empty: {},
      emptyList: [],
      negative: -0.125,
    },
  },
  { id: 0, vector: [0, 0, 0] },
  { id: -7, vector: [-1, -1, -1], payload: { neg: -7 } },
  { id: Number.MAX_SAFE_INTEGER, vector: [2, 0, 0], payload: { big: Number.MAX_SAFE_INTEGER } },
  { id: 'ünïcødé-id-🚀', vector: [0, 0, 1], payload: { x: 1 } },
];

/** Points of the operator table. `d` holds its year as a string; `f` has no payload. */
export const FILTER_POINTS: readonly LabelledPoint[] = [
  { id: 'a', payload: { year: 2020, lang: 'en', draft: false, score: 1.5, tag: null } },
  { id: 'b', payload: { year: 2021, lang: 'fr', draft: true } },
  { id: 'c', payload: { year: 2022, lang: 'en' } },
  { id: 'd', payload: { year: '2023', lang: 'de', draft: false } },
  { id: 'e', payload: { lang: 'en', draft: true, tag: 'x' } },
  { id: 'f' },
  { id: 'g', payload: { year: 2025, lang: 'EN', tag: 'y' } },
  { id: 'h', payload: { year: 2024, lang: 'it', score: -3 } },
];

/** Every operator over {@link FILTER_POINTS}. */
export const FILTER_CASES: readonly FilterCase[] = [
  { filter: { lang: 'en' }, expected: ['a', 'c', 'e'] },
  { filter: { lang: { $eq: 'en' } }, expected: ['a', 'c', 'e'] },
  { filter: { lang: { $ne: 'en' } }, expected: ['b', 'd', 'f', 'g', 'h'] },
  { filter: { year: { $gt: 2021 } }, expected: ['c', 'g', 'h'] },
  { filter: { year: { $gte: 2021 } }, expected: ['b', 'c', 'g', 'h'] },
  { filter: { year: { $lt: 2022 } }, expected: ['a', 'b'] },
  { filter: { year: { $lte: 2022 } }, expected: ['a', 'b', 'c'] },
  { filter: { year: { $gte: 2021, $lt: 2025 } }, expected: ['b', 'c', 'h'] },
  { filter: { year: '2023' }, expected: ['d'] },
  { filter: { year: 2023 }, expected: [] },
  { filter: { lang: { $in: ['fr', 'de'] } }, expected: ['b', 'd'] },
  { filter: { lang: { $nin: ['en', 'EN'] } }, expected: ['b', 'd', 'f', 'h'] },
  { filter: { year: { $in: [2020, 2025, '2023'] } }, expected: ['a', 'd', 'g'] },
  { filter: { year: { $nin: [2020, 2021] } }, expected: ['c', 'd', 'e', 'f', 'g', 'h'] },
  { filter: { draft: true }, expected: ['b', 'e'] },
  { filter: { draft: false }, expected: ['a', 'd'] },
  { filter: { draft: { $ne: true } }, expected: ['a', 'c', 'd', 'f', 'g', 'h'] },
  { filter: { tag: null }, expected: ['a'] },
  { filter: { tag: { $ne: null } }, expected: ['b', 'c', 'd', 'e', 'f', 'g', 'h'] },
  { filter: { tag: { $exists: true } }, expected: ['a', 'e', 'g'] },
  { filter: { tag: { $exists: false } }, expected: ['b', 'c', 'd', 'f', 'h'] },
  { filter: { year: { $exists: false } }, expected: ['e', 'f'] },
  { filter: { score: { $gt: 0 } }, expected: ['a'] },
  { filter: { score: { $lt: 0 } }, expected: ['h'] },
  { filter: { lang: 'en', draft: true }, expected: ['e'] },
  { filter: { $or: [{ lang: 'fr' }, { year: { $gte: 2024 } }] }, expected: ['b', 'g', 'h'] },
  { filter: { $and: [{ lang: 'en' }, { draft: { $ne: true } }] }, expected: ['a', 'c'] },
  { filter: { $not: { lang: 'en' } }, expected: ['b', 'd', 'f', 'g', 'h'] },
  { filter: { $not: { year: { $gt: 2021 } } }, expected: ['a', 'b', 'd', 'e', 'f'] },
  {
    filter: {
      $or: [
        { $and: [{ lang: 'en' }, { year: { $exists: true } }] },
        { $not: { draft: { $exists: true } } },
      ],
    },
    expected: ['a', 'c', 'f', 'g', 'h'],
  },
  {
    filter: { $and: [{ $or: [{ lang: 'en' }, { lang: 'fr' }] }, { $not: { draft: true } }] },
    expected: ['a', 'c'],
  },
  { filter: { lang: { $in: ['en'] }, year: { $nin: [2020] } }, expected: ['c', 'e'] },
];

/** Points holding arrays and objects where the table compares scalars. */
export const ARRAY_FILTER_POINTS: readonly LabelledPoint[] = [
  { id: 'x', payload: { tags: ['a', 'b'], meta: { k: 1 } } },
  { id: 'y', payload: { tags: 'a', meta: 1 } },
  { id: 'z', payload: {} },
];

/** Scalar operators over {@link ARRAY_FILTER_POINTS}: arrays and objects never match. */
export const ARRAY_FILTER_CASES: readonly FilterCase[] = [
  { filter: { tags: 'a' }, expected: ['y'] },
  { filter: { tags: { $in: ['a', 'b'] } }, expected: ['y'] },
  { filter: { tags: { $ne: 'a' } }, expected: ['x', 'z'] },
  { filter: { tags: { $nin: ['a'] } }, expected: ['x', 'z'] },
  { filter: { meta: { $gte: 1 } }, expected: ['y'] },
  { filter: { meta: { $exists: true } }, expected: ['x', 'y'] },
];

/** Points for string ranges. */
export const STRING_RANGE_POINTS: readonly LabelledPoint[] = [
  { id: 's1', payload: { name: 'apple' } },
  { id: 's2', payload: { name: 'banana' } },
  { id: 's3', payload: { name: 'Zebra' } },
  { id: 's4', payload: { name: 'éclair' } },
  { id: 's5', payload: { name: 5 } },
];

/** String ranges over {@link STRING_RANGE_POINTS}, by UTF-16 code units. */
export const STRING_RANGE_CASES: readonly FilterCase[] = [
  { filter: { name: { $gt: 'b' } }, expected: ['s2', 's4'] },
  { filter: { name: { $lt: 'a' } }, expected: ['s3'] },
  { filter: { name: { $gte: 'apple', $lte: 'banana' } }, expected: ['s1', 's2'] },
  { filter: { name: { $gt: 0 } }, expected: ['s5'] },
];

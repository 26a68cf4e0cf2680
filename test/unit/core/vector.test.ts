import { describe, expect, it } from 'vitest';
import { InvalidVectorError } from '../../../src/core/errors.js';
import type { Metric } from '../../../src/core/types.js';
import {
  compareHits,
  dot,
  higherIsBetter,
  isBetterScore,
  norm,
  normalizeInPlace,
  score,
  squaredL2,
  toVector,
} from '../../../src/core/vector.js';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidVectorError);
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

describe('toVector', () => {
  it('copies arrays and Float32Arrays into a fresh Float32Array', () => {
    const source = [0.5, -1, 2];
    const v = toVector(source, 3, 'vector');
    expect(v).toBeInstanceOf(Float32Array);
    expect([...v]).toEqual([0.5, -1, 2]);
    source[0] = 9;
    expect(v[0]).toBe(0.5);
    const typed = f32(1, 2, 3);
    const copy = toVector(typed, 3, 'vector');
    expect(copy).not.toBe(typed);
    typed[0] = 7;
    expect(copy[0]).toBe(1);
  });

  it('names the path and both dimensions on a length mismatch', () => {
    expect(messageOf(() => toVector([1, 2, 3, 4, 5], 4, 'points[3].vector'))).toBe(
      '`points[3].vector` has dimension 5, the collection has 4',
    );
    expect(messageOf(() => toVector(f32(1), 2, 'q'))).toBe(
      '`q` has dimension 1, the collection has 2',
    );
    expect(messageOf(() => toVector([], 2, 'q'))).toContain('has dimension 0');
  });

  it.each<[string, unknown, string]>([
    ['a string', 'abc', 'received string "abc"'],
    ['null', null, 'received null'],
    ['undefined', undefined, 'received undefined'],
    ['an object', { length: 2 }, 'received object Object'],
    ['a Float64Array', new Float64Array(2), 'received Float64Array of length 2'],
  ])('rejects %s', (_what, value, received) => {
    expect(messageOf(() => toVector(value, 2, 'v'))).toBe(
      `\`v\` must be an array of numbers or a Float32Array, ${received}`,
    );
  });

  it.each<[string, unknown[], string]>([
    ['NaN', [1, Number.NaN], '`v[1]` must be a finite number, received number NaN'],
    ['Infinity', [Infinity, 1], '`v[0]` must be a finite number, received number Infinity'],
    ['a string entry', [1, '2'], '`v[1]` must be a finite number, received string "2"'],
    ['null', [null, 1], '`v[0]` must be a finite number, received null'],
    [
      'float32 overflow',
      [1, 1e39],
      '`v[1]` must be a finite number within float32 range, received number 1e+39',
    ],
  ])('rejects an entry that is %s, naming its index', (_what, value, message) => {
    expect(messageOf(() => toVector(value, 2, 'v'))).toBe(message);
  });

  it('rejects a hole in a sparse array', () => {
    const holey: number[] = [];
    holey[1] = 1;
    expect(messageOf(() => toVector(holey, 2, 'v'))).toBe(
      '`v[0]` must be a finite number, received undefined',
    );
  });

  it('rejects NaN and Infinity inside a Float32Array', () => {
    expect(messageOf(() => toVector(f32(1, Number.NaN), 2, 'v'))).toContain('`v[1]`');
    expect(messageOf(() => toVector(f32(-Infinity, 1), 2, 'v'))).toContain('`v[0]`');
  });

  it('rejects a zero vector only under cosine', () => {
    expect(messageOf(() => toVector([0, 0], 2, 'q', 'cosine'))).toBe(
      '`q` is a zero vector; the cosine metric needs a vector with a non-zero length',
    );
    expect([...toVector([0, 0], 2, 'q', 'l2')]).toEqual([0, 0]);
    expect([...toVector([0, 0], 2, 'q', 'ip')]).toEqual([0, 0]);
    expect([...toVector([0, 0], 2, 'q')]).toEqual([0, 0]);
    expect(toVector([1e-30, 0], 2, 'q', 'cosine')[0]).toBeGreaterThan(0);
  });
});

describe('vector maths', () => {
  it('computes dot products and squared distances, including the unrolled tail', () => {
    for (let n = 1; n <= 9; n++) {
      const a = Float32Array.from({ length: n }, (_, i) => i + 1);
      const b = Float32Array.from({ length: n }, (_, i) => (i % 3) - 1);
      let d = 0;
      let l2 = 0;
      for (let i = 0; i < n; i++) {
        d += a[i]! * b[i]!;
        l2 += (a[i]! - b[i]!) ** 2;
      }
      expect(dot(a, b)).toBe(d);
      expect(squaredL2(a, b)).toBe(l2);
    }
    expect(norm(f32(3, 4))).toBe(5);
    expect(dot(f32(), f32())).toBe(0);
  });

  it('normalises in place and refuses a zero vector', () => {
    const v = f32(3, 4);
    expect(normalizeInPlace(v)).toBe(v);
    expect([...v].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0.6, 0.8]);
    expect(() => normalizeInPlace(f32(0, 0), 'points[2].vector')).toThrow(
      /`points\[2\]\.vector` is a zero vector/,
    );
  });

  it('scores cosine on the original vectors, ip as the dot product, l2 as squared distance', () => {
    const q = f32(1, 0);
    const s = f32(2, 2);
    expect(score('cosine', q, s)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(score('cosine', q, s, norm(s), 1)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(score('ip', q, s)).toBe(2);
    expect(score('l2', q, s)).toBe(5);
    expect(score('cosine', f32(0, 0), s)).toBe(0);
  });

  it('clamps cosine to [-1, 1]', () => {
    const v = f32(0.1, 0.2, 0.3);
    expect(score('cosine', v, v)).toBeLessThanOrEqual(1);
    expect(score('cosine', v, v, norm(v) * 0.999999)).toBe(1);
    expect(score('cosine', v, f32(-0.1, -0.2, -0.3), norm(v) * 0.999999)).toBe(-1);
  });

  it('knows which way is better', () => {
    expect(higherIsBetter('cosine')).toBe(true);
    expect(higherIsBetter('ip')).toBe(true);
    expect(higherIsBetter('l2')).toBe(false);
    expect(isBetterScore('cosine', 0.9, 0.1)).toBe(true);
    expect(isBetterScore('ip', -1, 2)).toBe(false);
    expect(isBetterScore('l2', 0.1, 0.9)).toBe(true);
    expect(isBetterScore('l2', 1, 1)).toBe(false);
  });

  it.each<[Metric, (string | number)[]]>([
    ['cosine', [2, 'b', 1, 'a', 'c']],
    ['ip', [2, 'b', 1, 'a', 'c']],
    ['l2', ['c', 1, 'a', 2, 'b']],
  ])('compareHits(%s) sorts best first and breaks ties by idKey', (metric, expected) => {
    const hits = [
      { id: 'a', score: 0.5 },
      { id: 'b', score: 0.9 },
      { id: 'c', score: 0.1 },
      { id: 1, score: 0.5 },
      { id: 2, score: 0.9 },
    ];
    expect(hits.sort(compareHits(metric)).map((h) => h.id)).toEqual(expected);
    const cmp = compareHits(metric);
    expect(cmp({ id: 'x', score: 1 }, { id: 'x', score: 1 })).toBe(0);
  });
});

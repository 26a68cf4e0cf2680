/**
 * Vector checks and the maths of the three metrics.
 *
 * Scores follow one convention everywhere: `cosine` is the cosine similarity of the original
 * (unnormalised) vectors and `ip` the dot product, both higher-is-better; `l2` is the squared
 * Euclidean distance, lower-is-better. Sums are accumulated in float64 even though vectors are
 * stored as float32, so that every backend that follows this file agrees to ~1e-6.
 *
 * @module
 */
import { InvalidVectorError, describeValue } from './errors.js';
import { idKey } from './ids.js';
import type { Metric, PointId } from './types.js';

/**
 * Checks a vector and copies it into a new `Float32Array`.
 *
 * @param value - A `number[]` or a `Float32Array`.
 * @param dimension - The collection's dimension; the vector's length must equal it.
 * @param path - Where the value came from, used in error messages (e.g. `points[3].vector`).
 * @param metric - When `cosine`, an all-zero vector is rejected too (it has no direction).
 * @returns A fresh `Float32Array` the caller owns.
 * @throws {@link InvalidVectorError} when the value is not an array, has the wrong length,
 *   holds an entry that is not a finite number (or overflows float32), or is a zero vector
 *   under `cosine`.
 *
 * @example
 * ```ts
 * toVector([0.1, 0.2, 0.3], 3, 'vector');        // Float32Array [0.1, 0.2, 0.3]
 * toVector([1, 2], 3, 'points[0].vector');       // throws: has dimension 2, the collection has 3
 * toVector([0, 0, 0], 3, 'query', 'cosine');     // throws: zero vector
 * ```
 */
export function toVector(
  value: unknown,
  dimension: number,
  path: string,
  metric?: Metric,
): Float32Array {
  let out: Float32Array;
  if (value instanceof Float32Array) {
    if (value.length !== dimension) throw dimensionError(path, value.length, dimension);
    out = new Float32Array(value);
    // A Float32Array cannot overflow, but it can hold NaN and Infinity.
    for (let i = 0; i < dimension; i++) {
      const x = out[i] as number;
      if (!Number.isFinite(x)) throw entryError(path, i, x);
    }
  } else if (Array.isArray(value)) {
    if (value.length !== dimension) throw dimensionError(path, value.length, dimension);
    out = new Float32Array(dimension);
    for (let i = 0; i < dimension; i++) {
      const x: unknown = value[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw entryError(path, i, x);
      out[i] = x;
      // Finite in float64 but beyond float32's range: storing it would give Infinity.
      if (!Number.isFinite(out[i])) {
        throw new InvalidVectorError(
          `\`${path}[${i}]\` must be a finite number within float32 range, received ${describeValue(x)}`,
        );
      }
    }
  } else {
    throw new InvalidVectorError(
      `\`${path}\` must be an array of numbers or a Float32Array, received ${describeValue(value)}`,
    );
  }
  if (metric === 'cosine' && norm(out) === 0) throw zeroVectorError(path);
  return out;
}

function dimensionError(path: string, got: number, dimension: number): InvalidVectorError {
  return new InvalidVectorError(
    `\`${path}\` has dimension ${got}, the collection has ${dimension}`,
  );
}

function entryError(path: string, index: number, value: unknown): InvalidVectorError {
  return new InvalidVectorError(
    `\`${path}[${index}]\` must be a finite number, received ${describeValue(value)}`,
  );
}

function zeroVectorError(path: string): InvalidVectorError {
  return new InvalidVectorError(
    `\`${path}\` is a zero vector; the cosine metric needs a vector with a non-zero length`,
  );
}

/**
 * The dot product of two vectors of the same length, accumulated in float64.
 *
 * @param a - One vector.
 * @param b - Another vector of the same length.
 * @returns `sum(a[i] * b[i])`.
 *
 * @example
 * ```ts
 * dot(Float32Array.of(1, 2), Float32Array.of(3, 4)); // 11
 * ```
 */
export function dot(a: Float32Array, b: Float32Array): number {
  // Four accumulators break the add-latency chain; this is the hot loop of every exact search.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += (a[i] as number) * (b[i] as number);
    s1 += (a[i + 1] as number) * (b[i + 1] as number);
    s2 += (a[i + 2] as number) * (b[i + 2] as number);
    s3 += (a[i + 3] as number) * (b[i + 3] as number);
  }
  for (; i < n; i++) s0 += (a[i] as number) * (b[i] as number);
  return s0 + s1 + s2 + s3;
}

/**
 * The squared Euclidean distance between two vectors of the same length.
 *
 * @param a - One vector.
 * @param b - Another vector of the same length.
 * @returns `sum((a[i] - b[i])^2)`.
 *
 * @example
 * ```ts
 * squaredL2(Float32Array.of(0, 0), Float32Array.of(3, 4)); // 25
 * ```
 */
export function squaredL2(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const d0 = (a[i] as number) - (b[i] as number);
    const d1 = (a[i + 1] as number) - (b[i + 1] as number);
    const d2 = (a[i + 2] as number) - (b[i + 2] as number);
    const d3 = (a[i + 3] as number) - (b[i + 3] as number);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/**
 * The Euclidean length of a vector.
 *
 * @param a - The vector.
 * @returns `sqrt(dot(a, a))`.
 *
 * @example
 * ```ts
 * norm(Float32Array.of(3, 4)); // 5
 * ```
 */
export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * Scales a vector to unit length, in place.
 *
 * @param a - The vector; it is modified.
 * @param path - Where the vector came from, for the error message.
 * @default path 'vector'
 * @returns The same array, for chaining.
 * @throws {@link InvalidVectorError} when the vector is all zeros (it has no direction).
 *
 * @example
 * ```ts
 * normalizeInPlace(Float32Array.of(3, 4)); // Float32Array [0.6, 0.8]
 * ```
 */
export function normalizeInPlace(a: Float32Array, path = 'vector'): Float32Array {
  const n = norm(a);
  if (n === 0) throw zeroVectorError(path);
  const inv = 1 / n;
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) * inv;
  return a;
}

/**
 * The score of a stored vector for a query under a metric.
 *
 * @param metric - `cosine` (similarity of the original vectors), `ip` (dot product) or `l2`
 *   (squared distance).
 * @param query - The query vector.
 * @param stored - The stored vector, of the same length.
 * @param storedNorm - `norm(stored)` when already known (cosine only); computed otherwise.
 * @param queryNorm - `norm(query)` when already known (cosine only); computed otherwise.
 * @returns The score; cosine is clamped to [-1, 1] against rounding, and is 0 when either
 *   vector is all zeros.
 *
 * @example
 * ```ts
 * score('cosine', Float32Array.of(1, 0), Float32Array.of(2, 2)); // 0.7071...
 * score('l2', Float32Array.of(1, 0), Float32Array.of(2, 2));     // 5
 * ```
 */
export function score(
  metric: Metric,
  query: Float32Array,
  stored: Float32Array,
  storedNorm?: number,
  queryNorm?: number,
): number {
  switch (metric) {
    case 'ip':
      return dot(query, stored);
    case 'l2':
      return squaredL2(query, stored);
    case 'cosine': {
      const denominator = (queryNorm ?? norm(query)) * (storedNorm ?? norm(stored));
      if (denominator === 0) return 0;
      const s = dot(query, stored) / denominator;
      return s > 1 ? 1 : s < -1 ? -1 : s;
    }
  }
}

/**
 * Whether scores of this metric are better when higher (`cosine`, `ip`) or lower (`l2`).
 *
 * @param metric - The metric.
 * @returns `true` for similarities, `false` for distances.
 *
 * @example
 * ```ts
 * higherIsBetter('l2'); // false
 * ```
 */
export function higherIsBetter(metric: Metric): boolean {
  return metric !== 'l2';
}

/**
 * Whether score `a` is strictly better than score `b` under a metric.
 *
 * @param metric - The metric.
 * @param a - One score.
 * @param b - Another score.
 * @returns `a > b` for `cosine` and `ip`, `a < b` for `l2`.
 *
 * @example
 * ```ts
 * isBetterScore('ip', 0.9, 0.1); // true
 * isBetterScore('l2', 0.9, 0.1); // false
 * ```
 */
export function isBetterScore(metric: Metric, a: number, b: number): boolean {
  return metric === 'l2' ? a < b : a > b;
}

/** Anything with an id and a score, such as a search hit. */
export interface ScoredId {
  /** The point's id. */
  readonly id: PointId;
  /** The score under the collection's metric. */
  readonly score: number;
}

/**
 * A comparator that sorts hits best first under a metric. Equal scores are ordered by
 * {@link idKey}, so the order is total and the same on every backend and every merge.
 *
 * @param metric - The collection's metric.
 * @returns A comparator for `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * hits.sort(compareHits('cosine')); // highest similarity first
 * ```
 */
export function compareHits(metric: Metric): (a: ScoredId, b: ScoredId) => number {
  const sign = metric === 'l2' ? 1 : -1;
  return (a, b) => {
    if (a.score !== b.score) return a.score < b.score ? -sign : sign;
    const ka = idKey(a.id);
    const kb = idKey(b.id);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

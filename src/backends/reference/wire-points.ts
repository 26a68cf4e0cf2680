/**
 * Points and vectors as the reference node's JSON API carries them: vectors as arrays of
 * numbers. Values are passed as they are; the node validates them (dimension, finite numbers,
 * ids, payloads) and answers 400 naming the first bad one.
 *
 * @module
 */
import type { Point, Vector } from '../../core/types.js';
import type { WirePoint } from './protocol.js';

/**
 * A vector as a JSON array. A `Float32Array` becomes the exact float32 values as numbers; an
 * array is sent as it is.
 *
 * @param vector - A `Float32Array` or an array of numbers.
 * @returns An array `JSON.stringify` renders as numbers.
 *
 * @example
 * ```ts
 * toWireVector(Float32Array.of(0.5, 1)); // [0.5, 1]
 * ```
 */
export function toWireVector(vector: Vector): number[] {
  if (vector instanceof Float32Array) return Array.from(vector);
  // Anything else goes as it is: the node rejects what is not an array of finite numbers.
  return vector as number[];
}

/**
 * A point as the node's upsert body holds it.
 *
 * @param point - The caller's point.
 * @returns `{ id, vector, payload? }` with the vector as a JSON array.
 *
 * @example
 * ```ts
 * toWirePoint({ id: 'a', vector: Float32Array.of(1, 0), payload: { lang: 'en' } });
 * // { id: 'a', vector: [1, 0], payload: { lang: 'en' } }
 * ```
 */
export function toWirePoint(point: Point): WirePoint {
  const p: unknown = point;
  if (typeof p !== 'object' || p === null) return p as WirePoint;
  const vector = toWireVector(point.vector);
  return point.payload === undefined
    ? { id: point.id, vector }
    : { id: point.id, vector, payload: point.payload };
}

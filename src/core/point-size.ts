/**
 * How many request bytes a point or an id is estimated to take, so that batches can be cut to a
 * backend's `maxBytesPerRequest` before they are sent (the write path's chunks, hint replay).
 *
 * @module
 */
import type { Point, PointId } from './types.js';

/**
 * The request bytes a point is estimated to take (id, float32 vector, payload as JSON), which
 * chunking keeps under `batch.maxBytes`.
 *
 * @example
 * ```ts
 * pointBytes({ id: 'a', vector: [0, 1] }); // 10
 * ```
 */
export function pointBytes(point: Point): number {
  const payloadBytes = point.payload === undefined ? 0 : JSON.stringify(point.payload).length;
  return idBytes(point.id) + point.vector.length * 4 + payloadBytes;
}

/**
 * The request bytes an id is estimated to take: 8 for a number, 2 per UTF-16 unit for a string.
 *
 * @example
 * ```ts
 * idBytes('ab'); // 4
 * ```
 */
export function idBytes(id: PointId): number {
  return typeof id === 'number' ? 8 : id.length * 2;
}

/**
 * The reference node's binary body (`application/vnd.vecmesh.v1+binary`), accepted by the two
 * requests where vectors dominate the bytes: batched search and upsert. Layout:
 *
 * ```
 * uint32 LE   length N of the JSON header, in bytes
 * N bytes     the JSON header (UTF-8): every field but the vectors, plus `count` and `dimension`
 * 0-3 bytes   zero padding, so that the vectors start on a 4-byte boundary
 * count x dimension float32 LE values, vector after vector
 * ```
 *
 * Answers stay JSON. This file holds the format and the client's encoder; the node's decoder is
 * `src/node/server/binary-body.ts`.
 *
 * @module
 */
import type { Payload, Point, PointId, Vector } from '../../core/types.js';
import type { SearchBody } from './protocol.js';

/** The content type of a binary body. */
export const BINARY_CONTENT_TYPE = 'application/vnd.vecmesh.v1+binary';

/** Bytes of the header-length prefix. */
export const BINARY_PREFIX_BYTES = 4;

/** Whether this machine stores float32 little-endian, so that typed arrays match the wire. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The JSON header of a binary search body: the search without its vectors. */
export interface BinarySearchHeader extends Omit<SearchBody, 'vectors'> {
  /** Number of query vectors. */
  count: number;
  /** Length of each vector. */
  dimension: number;
}

/** The JSON header of a binary upsert body: the points without their vectors. */
export interface BinaryUpsertHeader {
  /** One id per vector, in order. */
  ids: PointId[];
  /** One payload (or `null` for none) per vector; absent when no point has a payload. */
  payloads?: (Payload | null)[];
  /** Number of points. */
  count: number;
  /** Length of each vector. */
  dimension: number;
}

/**
 * Zero bytes between the header and the vectors.
 *
 * @param headerBytes - Length of the JSON header in bytes.
 * @returns 0 to 3, so that `4 + headerBytes + padding` is a multiple of 4.
 *
 * @example
 * ```ts
 * binaryPadding(10); // 2
 * ```
 */
export function binaryPadding(headerBytes: number): number {
  return (4 - ((BINARY_PREFIX_BYTES + headerBytes) % 4)) % 4;
}

/**
 * Encodes a binary body. Returns `undefined` when the vectors cannot travel as float32 exactly
 * as the JSON path would carry them (no vectors, vectors of different lengths, an entry that is
 * not a finite number within float32 range, something that is not a vector): the caller then
 * sends JSON, and the node answers with the JSON path's usual 400.
 *
 * @param header - Every field but the vectors; `count` and `dimension` are added.
 * @param vectors - The vectors, `Float32Array`s or arrays of numbers.
 * @returns The body, or `undefined` to fall back to JSON.
 *
 * @example
 * ```ts
 * const body = encodeBinaryBody({ topK: 5 }, [Float32Array.of(1, 0)]);
 * // 4-byte length, {"topK":5,"count":1,"dimension":2}, padding, 8 bytes of float32
 * ```
 */
export function encodeBinaryBody(
  header: object,
  vectors: readonly unknown[],
): Uint8Array | undefined {
  const count = vectors.length;
  const first: unknown = vectors[0];
  if (count === 0 || !(first instanceof Float32Array || Array.isArray(first))) return undefined;
  const dimension = first.length;
  if (dimension === 0) return undefined;
  const json = new TextEncoder().encode(JSON.stringify({ ...header, count, dimension }));
  const start = BINARY_PREFIX_BYTES + json.length + binaryPadding(json.length);
  const bytes = new Uint8Array(start + count * dimension * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, json.length, true);
  bytes.set(json, BINARY_PREFIX_BYTES);
  // `bytes` starts at offset 0 of its own buffer, so `start` is 4-byte aligned.
  const floats = new Float32Array(bytes.buffer, start, count * dimension);
  for (let i = 0; i < count; i++) {
    if (!writeVector(vectors[i], floats, i * dimension, dimension)) return undefined;
  }
  if (!HOST_IS_LITTLE_ENDIAN) {
    for (let k = 0; k < floats.length; k++) view.setFloat32(start + k * 4, floats[k] ?? 0, true);
  }
  return bytes;
}

/**
 * Encodes an upsert as a binary body (ids and payloads in the header).
 *
 * @param points - The caller's points.
 * @returns The body, or `undefined` when a point cannot travel in binary (not an object, a
 *   `null` payload, a vector {@link encodeBinaryBody} refuses): send JSON then.
 *
 * @example
 * ```ts
 * encodeBinaryUpsert([{ id: 'a', vector: [1, 0], payload: { lang: 'en' } }]);
 * ```
 */
export function encodeBinaryUpsert(points: readonly Point[]): Uint8Array | undefined {
  const ids: PointId[] = [];
  const vectors: Vector[] = [];
  const payloads: (Payload | null)[] = [];
  let anyPayload = false;
  for (const point of points as readonly unknown[]) {
    if (typeof point !== 'object' || point === null) return undefined;
    const p = point as Point;
    if ((p.payload as unknown) === null) return undefined;
    ids.push(p.id);
    vectors.push(p.vector);
    payloads.push(p.payload ?? null);
    if (p.payload !== undefined) anyPayload = true;
  }
  const header: Omit<BinaryUpsertHeader, 'count' | 'dimension'> = anyPayload
    ? { ids, payloads }
    : { ids };
  return encodeBinaryBody(header, vectors);
}

/** Writes one vector at `offset`; `false` when it is not a vector of finite float32 values. */
function writeVector(
  value: unknown,
  out: Float32Array,
  offset: number,
  dimension: number,
): boolean {
  if (!(value instanceof Float32Array || Array.isArray(value)) || value.length !== dimension) {
    return false;
  }
  const list = value as ArrayLike<unknown>;
  for (let j = 0; j < dimension; j++) {
    const x = list[j];
    if (typeof x !== 'number') return false;
    out[offset + j] = x;
    // NaN, Infinity, and finite numbers beyond float32's range: the JSON path names them.
    if (!Number.isFinite(out[offset + j])) return false;
  }
  return true;
}

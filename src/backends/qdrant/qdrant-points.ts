/**
 * Points between vecmesh and Qdrant: the upsert body (UUID ids, vectors as JSON numbers,
 * payloads with the reserved keys) and the parsing of Qdrant's records and scored points back
 * into `StoredPoint`s and `Hit`s with their original ids and vecmesh scores.
 *
 * @module
 */
import {
  BackendError,
  InvalidArgumentError,
  InvalidVectorError,
  describeValue,
  type ErrorMeta,
} from '../../core/errors.js';
import { validateId } from '../../core/ids.js';
import { isPlainObject, validatePayload } from '../../core/payload.js';
import type { Hit, Metric, Point, PointId, StoredPoint } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { unexpectedAnswer } from './qdrant-errors.js';
import { QDRANT_ID_KEY, originalId, qdrantPointId } from './qdrant-ids.js';
import { fromStoredPayload, toStoredPayload } from './qdrant-payload.js';

/** One point of Qdrant's upsert body (`PointStruct`). */
export interface QdrantPoint {
  /** The UUID of the original id. */
  id: string;
  /** The vector as JSON numbers. */
  vector: number[];
  /** The caller's payload plus the reserved keys. */
  payload: Record<string, unknown>;
}

/** A point Qdrant returned (`Record` or `ScoredPoint`), as far as the adapter reads it. */
export interface QdrantRecord {
  /** Qdrant's id: a UUID string or an unsigned integer. */
  id: string | number;
  /** The stored payload, when asked for. */
  payload?: Record<string, unknown> | null;
  /** The stored vector, when asked for. */
  vector?: unknown;
  /** The score, for search results. */
  score?: number;
}

/**
 * Validates a batch and builds Qdrant's points. The whole batch is checked before anything is
 * sent, so that a bad point never half-applies a batch; all vectors must have one length (Qdrant
 * checks it against the collection and refuses the whole request otherwise). A repeated id
 * keeps its last point, as a sequence of upserts would.
 *
 * @param points - The caller's points.
 * @returns One Qdrant point per distinct id.
 * @throws `InvalidArgumentError` for a point that is not an object, a bad id or payload, or a
 *   payload using a reserved key; `InvalidVectorError` for a bad vector or a batch of vectors
 *   of different lengths.
 *
 * @example
 * ```ts
 * toQdrantPoints([{ id: 7, vector: [1, 0], payload: { lang: 'en' } }]);
 * // [{ id: '<uuid of n:7>', vector: [1, 0], payload: { lang: 'en', __vecmesh_id: 7, __vecmesh_types: { lang: 's' } } }]
 * ```
 */
export function toQdrantPoints(points: readonly Point[]): QdrantPoint[] {
  const byId = new Map<string, QdrantPoint>();
  let dimension: number | undefined;
  points.forEach((point: unknown, i) => {
    const path = `points[${i}]`;
    if (!isPlainObject(point)) {
      throw new InvalidArgumentError(
        `\`${path}\` must be an object, received ${describeValue(point)}`,
      );
    }
    const id = validateId(point.id, `${path}.id`);
    const raw = point.vector;
    dimension ??=
      ArrayBuffer.isView(raw) || Array.isArray(raw) ? (raw as ArrayLike<number>).length : 0;
    if (dimension === 0) {
      throw new InvalidVectorError(
        `\`${path}.vector\` must be a non-empty array of numbers or a Float32Array, received ${describeValue(raw)}`,
      );
    }
    const vector = Array.from(toVector(raw, dimension, `${path}.vector`));
    const payload = toStoredPayload(
      id,
      validatePayload(point.payload, `${path}.payload`),
      `${path}.payload`,
    );
    const uuid = qdrantPointId(id);
    // Re-inserting moves a repeated id to its last position, like the last write winning.
    byId.delete(uuid);
    byId.set(uuid, { id: uuid, vector, payload });
  });
  return [...byId.values()];
}

/**
 * The vecmesh id of a Qdrant point: the original id from the reserved payload key, or Qdrant's
 * own id for a point another client wrote without one.
 *
 * @param record - A point Qdrant returned with at least the reserved key of its payload.
 * @returns The id.
 *
 * @example
 * ```ts
 * idOf({ id: '0b6c...', payload: { __vecmesh_id: 'doc-1' } }); // 'doc-1'
 * ```
 */
export function idOf(record: QdrantRecord): PointId {
  return originalId(record.payload?.[QDRANT_ID_KEY]) ?? record.id;
}

/**
 * A record of `retrieve` as a `StoredPoint`.
 *
 * @param record - The record, with its payload and (when asked) its vector.
 * @param includeVector - Whether the vector was asked for.
 * @param origin - The server, for errors.
 * @returns The point with its original id and the caller's payload.
 * @throws `BackendError` when a vector was asked for and the record has none usable.
 *
 * @example
 * ```ts
 * toStoredPoint({ id: '0b6c...', payload: { __vecmesh_id: 'a', x: 1 } }, false, origin);
 * // { id: 'a', payload: { x: 1 } }
 * ```
 */
export function toStoredPoint(
  record: QdrantRecord,
  includeVector: boolean,
  origin: string,
): StoredPoint {
  const point: StoredPoint = { id: idOf(record), payload: fromStoredPayload(record.payload) };
  if (includeVector) point.vector = vectorOf(record, origin);
  return point;
}

/**
 * A scored point of a search as a `Hit`. Qdrant's scores are cosine similarity (`Cosine`), the
 * dot product (`Dot`) and the Euclidean distance (`Euclid`); vecmesh's `l2` score is the squared
 * distance, so that one is squared.
 *
 * @param point - The scored point.
 * @param metric - The collection's metric.
 * @param includePayload - Whether the payload was asked for.
 * @param includeVector - Whether the vector was asked for.
 * @param origin - The server, for errors.
 * @returns The hit.
 * @throws `BackendError` for a point without a numeric score or usable vector.
 *
 * @example
 * ```ts
 * toHit({ id: 'u', score: 2, payload: { __vecmesh_id: 'a' } }, 'l2', false, false, origin);
 * // { id: 'a', score: 4 }
 * ```
 */
export function toHit(
  point: QdrantRecord,
  metric: Metric,
  includePayload: boolean,
  includeVector: boolean,
  origin: string,
): Hit {
  const raw = point.score;
  if (typeof raw !== 'number') {
    throw new BackendError(`${origin} \`search\`: a result has no numeric score`, {
      retryable: false,
    });
  }
  const hit: Hit = { id: idOf(point), score: metric === 'l2' ? raw * raw : raw };
  if (includePayload) hit.payload = fromStoredPayload(point.payload);
  if (includeVector) hit.vector = vectorOf(point, origin);
  return hit;
}

function vectorOf(record: QdrantRecord, origin: string): number[] {
  const v = record.vector;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v;
  throw new BackendError(
    `${origin}: point ${String(record.id)} has no single unnamed vector (collections with named vectors are not supported)`,
    { retryable: false },
  );
}

/**
 * Checks a list of points Qdrant answered: an array of objects, each with an id.
 *
 * @param value - The answer's list.
 * @param meta - The call's meta.
 * @returns The records.
 * @throws `BackendError` (not retryable) when it is not such a list.
 *
 * @example
 * ```ts
 * recordsOf([{ id: 7, payload: { __vecmesh_id: 'a' } }], meta); // [{ id: 7, payload: ... }]
 * ```
 */
export function recordsOf(value: unknown, meta: ErrorMeta): QdrantRecord[] {
  if (!Array.isArray(value)) throw unexpectedAnswer(meta, 'expected a list of points');
  return (value as unknown[]).map((r) => {
    if (!isPlainObject(r) || (typeof r.id !== 'string' && typeof r.id !== 'number')) {
      throw unexpectedAnswer(meta, 'a point has no id');
    }
    return r as unknown as QdrantRecord;
  });
}

/**
 * The hits of a batch of searches: Qdrant's `query/batch` answer, one `{ points }` per search.
 *
 * @param answer - The answer's `result`.
 * @param searches - How many searches the batch held.
 * @param metric - The collection's metric.
 * @param includePayload - Whether payloads were asked for.
 * @param includeVector - Whether vectors were asked for.
 * @param meta - The call's meta; its `backend` is the server, for errors.
 * @returns One list of hits per search, in order.
 * @throws `BackendError` (not retryable) for an answer of another shape or length.
 *
 * @example
 * ```ts
 * hitListsOf([{ points: [{ id: 'u', score: 0.9, payload: { __vecmesh_id: 'a' } }] }], 1, 'cosine', false, false, meta);
 * // [[{ id: 'a', score: 0.9 }]]
 * ```
 */
export function hitListsOf(
  answer: unknown,
  searches: number,
  metric: Metric,
  includePayload: boolean,
  includeVector: boolean,
  meta: ErrorMeta,
): Hit[][] {
  if (!Array.isArray(answer) || answer.length !== searches) {
    throw unexpectedAnswer(meta, `expected ${searches} result lists`);
  }
  const origin = meta.backend ?? 'qdrant';
  return (answer as unknown[]).map((list) => {
    const points = isPlainObject(list) ? list.points : undefined;
    return recordsOf(points, meta).map((p) =>
      toHit(p, metric, includePayload, includeVector, origin),
    );
  });
}

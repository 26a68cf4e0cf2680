/**
 * Points as Milvus rows and back: the rows of an upsert (type-tagged key, vector, payload and
 * field tags), the keys of a list of ids, and the rows and hits Milvus answers read back as
 * `StoredPoint`s and `Hit`s.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { validateId } from '../../core/ids.js';
import { isPlainObject, validatePayload } from '../../core/payload.js';
import type { Hit, Payload, Point, PointId, StoredPoint } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { MILVUS_FIELDS, decodeId, encodeId, fieldTags, hasLoneSurrogate } from './milvus-schema.js';

const F = MILVUS_FIELDS;

/** One row as the SDK upserts it. */
export interface MilvusRow {
  [field: string]: unknown;
}

/**
 * Checks every point and builds the rows; the last point of a repeated id wins.
 *
 * @param points - The caller's points (an array).
 * @param dimension - The collection's dimension.
 * @returns One row per distinct id.
 * @throws `InvalidArgumentError` for a point that is not an object, a bad id or payload, or a
 *   payload string Milvus cannot store; `InvalidVectorError` for a bad vector.
 *
 * @example
 * ```ts
 * toRows([{ id: 1, vector: [1, 0] }], 2);
 * // [{ vm_id: 'n:1', vm_vector: [1, 0], vm_payload: {}, vm_fields: [] }]
 * ```
 */
export function toRows(points: readonly Point[], dimension: number): MilvusRow[] {
  const byKey = new Map<string, MilvusRow>();
  for (let i = 0; i < points.length; i++) {
    const path = `points[${i}]`;
    const p: unknown = points[i];
    if (typeof p !== 'object' || p === null) {
      throw new InvalidArgumentError(`\`${path}\` must be an object, received ${describeValue(p)}`);
    }
    const point = p as Partial<Point>;
    const key = encodeId(validateId(point.id, `${path}.id`), `${path}.id`);
    const vector = toVector(point.vector, dimension, `${path}.vector`);
    const payload = validatePayload(point.payload, `${path}.payload`);
    checkPayloadText(payload, `${path}.payload`);
    byKey.delete(key);
    byKey.set(key, {
      [F.id]: key,
      [F.vector]: Array.from(vector),
      [F.payload]: payload ?? {},
      [F.tags]: fieldTags(payload),
    });
  }
  return [...byKey.values()];
}

/**
 * The primary keys of a list of ids.
 *
 * @param ids - The caller's ids (an array).
 * @returns One key per id, in order (repeats kept).
 * @throws `InvalidArgumentError` for a bad id.
 *
 * @example
 * ```ts
 * toKeys([1, 'a']); // ['n:1', 's:a']
 * ```
 */
export function toKeys(ids: readonly PointId[]): string[] {
  return ids.map((id, i) => encodeId(validateId(id, `ids[${i}]`), `ids[${i}]`));
}

/**
 * An estimate of one row's size in the upsert message.
 *
 * @param row - A row of {@link toRows}.
 * @returns Bytes, rounded up.
 *
 * @example
 * ```ts
 * chunkBySize(rows, rowBytes, MAX_UPSERT_BYTES, maxPoints);
 * ```
 */
export function rowBytes(row: MilvusRow): number {
  const vector = row[F.vector] as number[];
  const id = row[F.id] as string;
  return vector.length * 4 + id.length * 3 + JSON.stringify(row[F.payload]).length * 3 + 64;
}

/**
 * A row Milvus answered to a query, as a `StoredPoint`.
 *
 * @param row - The row, with the key, the payload and (when asked) the vector.
 * @param withVector - Whether the vector was asked for.
 * @returns The row's key and point, or `undefined` for a row without a vecmesh key.
 *
 * @example
 * ```ts
 * storedPointOf({ vm_id: 's:a', vm_payload: { x: 1 } }, false); // { key: 's:a', point: { id: 'a', payload: { x: 1 } } }
 * ```
 */
export function storedPointOf(
  row: Record<string, unknown>,
  withVector: boolean,
): { key: string; point: StoredPoint } | undefined {
  const key = row[F.id];
  const id = decodeId(key);
  if (id === undefined || typeof key !== 'string') return undefined;
  const point: StoredPoint = { id, payload: payloadOf(row[F.payload]) };
  if (withVector) point.vector = vectorOf(row[F.vector]);
  return { key, point };
}

/**
 * The hits of one query vector as Milvus answered them; results without a vecmesh key are left
 * out.
 *
 * @param raw - The query vector's results.
 * @param withPayload - Whether payloads were asked for.
 * @param withVector - Whether vectors were asked for.
 * @returns The hits, in Milvus's order.
 *
 * @example
 * ```ts
 * hitsOf([{ vm_id: 'n:1', score: 0.5 }], false, false); // [{ id: 1, score: 0.5 }]
 * ```
 */
export function hitsOf(raw: unknown, withPayload: boolean, withVector: boolean): Hit[] {
  if (!Array.isArray(raw)) return [];
  const out: Hit[] = [];
  for (const item of raw as Record<string, unknown>[]) {
    const id = decodeId(item[F.id] ?? item.id);
    if (id === undefined) continue;
    const hit: Hit = { id, score: Number(item.score) };
    if (withPayload) hit.payload = payloadOf(item[F.payload]);
    if (withVector) hit.vector = vectorOf(item[F.vector]);
    out.push(hit);
  }
  return out;
}

function payloadOf(value: unknown): Payload {
  return isPlainObject(value) ? (value as Payload) : {};
}

function vectorOf(value: unknown): number[] {
  return Array.isArray(value) ? (value as number[]).map(Number) : [];
}

/** Payload strings must have a UTF-8 form: Milvus Lite refuses lone surrogates. */
function checkPayloadText(payload: Payload | undefined, path: string): void {
  if (payload === undefined) return;
  const text = JSON.stringify(payload);
  // JSON.stringify writes a lone surrogate as a \\udXXX escape; the raw text never holds one.
  if (/\\ud[89a-f][0-9a-f]{2}/i.test(text) && hasLoneSurrogateDeep(payload)) {
    throw new InvalidArgumentError(
      `\`${path}\` holds a string with a lone UTF-16 surrogate, which Milvus cannot store`,
    );
  }
}

function hasLoneSurrogateDeep(value: unknown): boolean {
  if (typeof value === 'string') return hasLoneSurrogate(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogateDeep);
  if (isPlainObject(value)) {
    return Object.entries(value).some(([k, v]) => hasLoneSurrogate(k) || hasLoneSurrogateDeep(v));
  }
  return false;
}

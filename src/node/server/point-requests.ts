/**
 * Validation of the point routes' bodies: upsert, delete, get and count. Every batch is
 * validated whole before the store sees any of it, so that a bad point writes nothing.
 *
 * @module
 */
import { NODE_LIMITS } from '../../backends/reference/protocol.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { parseFilter } from '../../core/filter.js';
import { idKey, validateId } from '../../core/ids.js';
import { clonePayload, isPlainObject, validatePayload } from '../../core/payload.js';
import type { CollectionSpec, Point, PointId } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { arrayOf, bodyObject, optionalBoolean } from './request-fields.js';

/**
 * Validates an upsert body against the collection's spec.
 *
 * Each point needs a valid id, a vector of the collection's dimension (finite float32 values;
 * not all zeros under `cosine`) and an optional JSON object payload. When an id appears twice,
 * the later point wins, as if the points had been written one after the other.
 *
 * @param body - `{ points: [{ id, vector, payload? }, ...] }`.
 * @param spec - The collection's dimension and metric.
 * @returns Fresh points (vectors as `Float32Array`, payloads deep-copied) the store may keep.
 * @throws {@link InvalidArgumentError} (or its subclass `InvalidVectorError`) naming the first
 *   bad point, e.g. `points[3].vector has dimension 2, the collection has 3`.
 *
 * @example
 * ```ts
 * upsertPoints({ points: [{ id: 'a', vector: [1, 0] }] }, { dimension: 2, metric: 'l2' });
 * ```
 */
export function upsertPoints(body: unknown, spec: CollectionSpec): Point[] {
  const b = bodyObject(body, ['points']);
  const list = arrayOf(b.points, 'points', NODE_LIMITS.maxPointsPerRequest);
  const byKey = new Map<string, Point>();
  for (let i = 0; i < list.length; i++) {
    const path = `points[${i}]`;
    const raw = list[i];
    if (!isPlainObject(raw)) {
      throw new InvalidArgumentError(
        `\`${path}\` must be an object { id, vector, payload? }, received ${describeValue(raw)}`,
      );
    }
    for (const key of Object.keys(raw)) {
      if (key !== 'id' && key !== 'vector' && key !== 'payload') {
        throw new InvalidArgumentError(
          `unknown field \`${path}.${key}\`; expected \`id\`, \`vector\`, \`payload\``,
        );
      }
    }
    const id = validateId(raw.id, `${path}.id`);
    const vector = toVector(raw.vector, spec.dimension, `${path}.vector`, spec.metric);
    const payload = clonePayload(validatePayload(raw.payload, `${path}.payload`));
    const key = idKey(id);
    // Delete first so that the surviving point takes the position of its last occurrence.
    byKey.delete(key);
    byKey.set(key, payload === undefined ? { id, vector } : { id, vector, payload });
  }
  return [...byKey.values()];
}

/**
 * Validates a list of ids.
 *
 * @param value - The `ids` field.
 * @param unique - Drop repeated ids (keeping the first), for reads.
 * @default unique false
 * @returns The ids.
 * @throws {@link InvalidArgumentError} when it is not an array of at most
 *   `maxPointsPerRequest` valid ids (`ids[2] must be a non-empty string ... or a safe integer`).
 *
 * @example
 * ```ts
 * idList(['a', 1, 'a'], true); // ['a', 1]
 * ```
 */
export function idList(value: unknown, unique = false): PointId[] {
  const list = arrayOf(value, 'ids', NODE_LIMITS.maxPointsPerRequest);
  const ids: PointId[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const id = validateId(list[i], `ids[${i}]`);
    if (unique) {
      const key = idKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    ids.push(id);
  }
  return ids;
}

/**
 * Validates a delete body.
 *
 * @param body - `{ ids }`.
 * @returns The ids.
 * @throws {@link InvalidArgumentError} naming the first bad id.
 *
 * @example
 * ```ts
 * deleteIds({ ids: ['a', 2] }); // ['a', 2]
 * ```
 */
export function deleteIds(body: unknown): PointId[] {
  return idList(bodyObject(body, ['ids']).ids);
}

/**
 * Validates a get body.
 *
 * @param body - `{ ids, includeVector? }`.
 * @returns The ids (repeats dropped) and whether to return vectors.
 * @throws {@link InvalidArgumentError} naming the first bad field.
 *
 * @example
 * ```ts
 * getRequest({ ids: ['a'], includeVector: true }); // { ids: ['a'], includeVector: true }
 * ```
 */
export function getRequest(body: unknown): { ids: PointId[]; includeVector: boolean } {
  const b = bodyObject(body, ['ids', 'includeVector']);
  return {
    ids: idList(b.ids, true),
    includeVector: optionalBoolean(b.includeVector, 'includeVector'),
  };
}

/**
 * Validates a count body. An absent body counts every point.
 *
 * @param body - `{ filter? }` or nothing.
 * @returns The validated filter tree, or `undefined` for none.
 * @throws `InvalidFilterError` naming the path of a bad filter (`filter.year.$foo`).
 *
 * @example
 * ```ts
 * countFilter({ filter: { lang: 'en' } }); // { kind: 'compare', field: 'lang', op: 'eq', ... }
 * ```
 */
export function countFilter(body: unknown): FilterNode | undefined {
  if (body === undefined) return undefined;
  return parseFilter(bodyObject(body, ['filter']).filter);
}

/**
 * Validation of binary search and upsert bodies ({@link BinaryVectorBody}) against the
 * collection, as strict as the JSON path and with the same error classes: the header holds only
 * known fields, `dimension` is the collection's, every value is finite, no cosine vector is all
 * zeros, and the route's count limits hold.
 *
 * @module
 */
import { NODE_LIMITS } from '../../backends/reference/protocol.js';
import { InvalidArgumentError, InvalidVectorError } from '../../core/errors.js';
import { idKey, validateId } from '../../core/ids.js';
import { clonePayload, validatePayload } from '../../core/payload.js';
import type { CollectionSpec, Point } from '../../core/types.js';
import { norm } from '../../core/vector.js';
import type { StoreSearchRequest } from '../store/store-contract.js';
import type { BinaryVectorBody } from './binary-body.js';
import { arrayOf, bodyObject } from './request-fields.js';
import { searchWith } from './search-requests.js';

const SEARCH_HEADER_KEYS: readonly string[] = [
  'topK',
  'filter',
  'ef',
  'exact',
  'includePayload',
  'includeVector',
];

const UPSERT_HEADER_KEYS: readonly string[] = ['ids', 'payloads'];

/**
 * Validates a binary search body against the collection's spec.
 *
 * @param body - The decoded body; its header holds `topK`, `filter?`, `ef?`, `exact?`,
 *   `includePayload?`, `includeVector?`.
 * @param spec - The collection's dimension and metric.
 * @returns The request as the store runs it; the query vectors are views of the body (no copy).
 * @throws {@link InvalidArgumentError} (or `InvalidVectorError` / `InvalidFilterError`) naming
 *   the first bad field, e.g. `` `vectors[1][3]` must be a finite number, received NaN ``.
 *
 * @example
 * ```ts
 * binarySearchRequest(decodeBinaryBody(bytes, JSON.parse), { dimension: 128, metric: 'l2' });
 * ```
 */
export function binarySearchRequest(
  body: BinaryVectorBody,
  spec: CollectionSpec,
): StoreSearchRequest {
  const fields = bodyObject(body.fields, SEARCH_HEADER_KEYS);
  const vectors = binaryVectors(body, spec, 'vectors', NODE_LIMITS.maxQueriesPerRequest, 1);
  return searchWith(vectors, fields);
}

/**
 * Validates a binary upsert body against the collection's spec. As with JSON, the whole batch
 * is validated before anything is written, and when an id appears twice the later point wins.
 *
 * @param body - The decoded body; its header holds `ids` and optionally `payloads` (one per
 *   vector, `null` for none).
 * @param spec - The collection's dimension and metric.
 * @returns The points; vectors are views of the body, which the store copies when it writes.
 * @throws {@link InvalidArgumentError} (or `InvalidVectorError`) naming the first bad field,
 *   e.g. `` `ids` holds 3 ids but the body has 2 vectors ``.
 *
 * @example
 * ```ts
 * binaryUpsertPoints(decodeBinaryBody(bytes, JSON.parse), { dimension: 2, metric: 'l2' });
 * ```
 */
export function binaryUpsertPoints(body: BinaryVectorBody, spec: CollectionSpec): Point[] {
  const fields = bodyObject(body.fields, UPSERT_HEADER_KEYS);
  const ids = arrayOf(fields.ids, 'ids', NODE_LIMITS.maxPointsPerRequest);
  if (ids.length !== body.count) {
    throw new InvalidArgumentError(
      `\`ids\` holds ${ids.length} ids but the body has ${body.count} vectors`,
    );
  }
  let payloads: readonly unknown[] | undefined;
  if (fields.payloads !== undefined) {
    payloads = arrayOf(fields.payloads, 'payloads', NODE_LIMITS.maxPointsPerRequest);
    if (payloads.length !== body.count) {
      throw new InvalidArgumentError(
        `\`payloads\` holds ${payloads.length} items but the body has ${body.count} vectors`,
      );
    }
  }
  const vectors = binaryVectors(body, spec, 'vectors', NODE_LIMITS.maxPointsPerRequest, 0);
  const byKey = new Map<string, Point>();
  vectors.forEach((vector, i) => {
    const id = validateId(ids[i], `ids[${i}]`);
    const raw = payloads?.[i];
    const payload = raw === null ? undefined : clonePayload(validatePayload(raw, `payloads[${i}]`));
    const key = idKey(id);
    // Delete first so that the surviving point takes the position of its last occurrence.
    byKey.delete(key);
    byKey.set(key, payload === undefined ? { id, vector } : { id, vector, payload });
  });
  return [...byKey.values()];
}

/**
 * The body's vectors as views, checked against the collection: dimension, count limits, finite
 * values, and no zero vector under `cosine`.
 */
function binaryVectors(
  body: BinaryVectorBody,
  spec: CollectionSpec,
  name: string,
  max: number,
  min: number,
): Float32Array[] {
  if (body.count < min || body.count > max) {
    throw new InvalidArgumentError(
      `\`${name}\` must hold ${min} to ${max} items per request, received ${body.count}`,
    );
  }
  if (body.dimension !== spec.dimension) {
    throw new InvalidVectorError(
      `\`dimension\` in the binary header is ${body.dimension}, the collection has ${spec.dimension}`,
    );
  }
  const out: Float32Array[] = [];
  for (let i = 0; i < body.count; i++) {
    const vector = body.vector(i);
    for (let j = 0; j < vector.length; j++) {
      const x = vector[j] as number;
      if (!Number.isFinite(x)) {
        throw new InvalidVectorError(
          `\`${name}[${i}][${j}]\` must be a finite number, received ${String(x)}`,
        );
      }
    }
    if (spec.metric === 'cosine' && norm(vector) === 0) {
      throw new InvalidVectorError(
        `\`${name}[${i}]\` is a zero vector; the cosine metric needs a vector with a non-zero length`,
      );
    }
    out.push(vector);
  }
  return out;
}

/**
 * Validation of `POST /collections/:name/search` bodies and `GET /collections/:name/ids`
 * query strings.
 *
 * @module
 */
import { checkInteger } from '../../backends/argument-checks.js';
import { NODE_LIMITS } from '../../backends/reference/protocol.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { parseFilter } from '../../core/filter.js';
import type { CollectionSpec } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import type { StoreSearchRequest } from '../store/store-contract.js';
import { arrayOf, bodyObject, optionalBoolean, queryInteger } from './request-fields.js';

const SEARCH_KEYS: readonly string[] = [
  'vectors',
  'topK',
  'filter',
  'ef',
  'exact',
  'includePayload',
  'includeVector',
];

/** The page size of an id scan when the query string names none. */
export const DEFAULT_SCAN_LIMIT = 1000;

/** The longest scan cursor accepted, in characters. */
export const MAX_CURSOR_LENGTH = 4096;

/**
 * Validates a search body against the collection's spec.
 *
 * @param body - `{ vectors, topK, filter?, ef?, exact?, includePayload?, includeVector? }`.
 * @param spec - The collection's dimension and metric.
 * @returns The request as the store runs it.
 * @throws {@link InvalidArgumentError} (or `InvalidVectorError` / `InvalidFilterError`) naming
 *   the first bad field, e.g. `vectors[1] has dimension 3, the collection has 4`.
 *
 * @example
 * ```ts
 * searchRequest({ vectors: [[1, 0]], topK: 5, filter: { lang: 'en' } }, spec);
 * ```
 */
export function searchRequest(body: unknown, spec: CollectionSpec): StoreSearchRequest {
  const b = bodyObject(body, SEARCH_KEYS);
  const list = arrayOf(b.vectors, 'vectors', NODE_LIMITS.maxQueriesPerRequest, 1);
  const vectors = list.map((v, i) => toVector(v, spec.dimension, `vectors[${i}]`, spec.metric));
  return searchWith(vectors, b);
}

/**
 * Validates the fields of a search other than its vectors, shared by the JSON and binary bodies.
 *
 * @param vectors - The query vectors, already validated.
 * @param b - The body's fields: `topK`, `filter?`, `ef?`, `exact?`, `includePayload?`,
 *   `includeVector?` (other keys are ignored; the caller has refused unknown ones).
 * @returns The request as the store runs it.
 * @throws {@link InvalidArgumentError} (or `InvalidFilterError`) naming the first bad field.
 *
 * @example
 * ```ts
 * searchWith([Float32Array.of(1, 0)], { topK: 5, ef: 64 });
 * ```
 */
export function searchWith(
  vectors: readonly Float32Array[],
  b: Record<string, unknown>,
): StoreSearchRequest {
  const topK = checkInteger(b.topK, 'topK', 1, NODE_LIMITS.maxTopK);
  const filter = parseFilter(b.filter);
  const request: {
    -readonly [K in keyof StoreSearchRequest]: StoreSearchRequest[K];
  } = {
    vectors,
    topK,
    includePayload: optionalBoolean(b.includePayload, 'includePayload'),
    includeVector: optionalBoolean(b.includeVector, 'includeVector'),
  };
  if (filter !== undefined) request.filter = filter;
  if (b.ef !== undefined) request.ef = checkInteger(b.ef, 'ef', 1, NODE_LIMITS.maxEf);
  if (b.exact !== undefined) request.exact = optionalBoolean(b.exact, 'exact');
  return request;
}

/**
 * Validates the query string of an id scan.
 *
 * @param query - The parsed query string: `cursor?` (opaque, from the previous page) and
 *   `limit?` (1 to `maxPointsPerRequest`).
 * @returns The cursor and the page size.
 * @default limit 1000
 * @throws {@link InvalidArgumentError} when `limit` is not an integer in range, `cursor` is
 *   empty or too long, or another parameter is present.
 *
 * @example
 * ```ts
 * scanRequest({ limit: '100' }); // { cursor: undefined, limit: 100 }
 * ```
 */
export function scanRequest(query: unknown): { cursor: string | undefined; limit: number } {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (key !== 'cursor' && key !== 'limit') {
      throw new InvalidArgumentError(
        `unknown query parameter \`${key}\`; expected \`cursor\`, \`limit\``,
      );
    }
  }
  const limit = queryInteger(
    q.limit,
    'limit',
    DEFAULT_SCAN_LIMIT,
    1,
    NODE_LIMITS.maxPointsPerRequest,
  );
  const cursor = q.cursor;
  if (cursor === undefined) return { cursor: undefined, limit };
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw new InvalidArgumentError(
      `query parameter \`cursor\` must be a cursor from a previous page, received ${describeValue(cursor)}`,
    );
  }
  return { cursor, limit };
}

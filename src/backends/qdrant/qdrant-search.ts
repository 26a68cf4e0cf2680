/**
 * A batched search as the searches of Qdrant's query API: the query vectors as JSON numbers,
 * the fields every search of the batch shares (`limit`, `filter`, `params`, `with_payload`,
 * `with_vector`), and the `query/batch` requests that run them.
 *
 * @module
 */
import { InvalidArgumentError, describeValue, type ErrorMeta } from '../../core/errors.js';
import type { Hit, Metric } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import type { BackendSearchRequest } from '../backend.js';
import { compileFilter } from './qdrant-filter.js';
import type { QdrantSend } from './qdrant-http.js';
import { QDRANT_ID_KEY } from './qdrant-ids.js';
import { chunks } from './qdrant-point-requests.js';
import { hitListsOf } from './qdrant-points.js';

/** The parts of a batch of Qdrant searches. */
export interface QdrantSearchBody {
  /** One query vector per search. */
  readonly vectors: number[][];
  /** The fields every search shares. */
  readonly fields: Record<string, unknown>;
}

/**
 * Checks a search request and builds its Qdrant searches: `limit` from `topK`, the compiled
 * `filter`, `params.hnsw_ef` (from `params.ef`, else the `ef` option) and `params.exact`. All
 * query vectors must have the length of the first.
 *
 * @param request - The caller's request (an object).
 * @param maxTopK - The largest `topK` accepted.
 * @param ef - The adapter's `ef` option, if any.
 * @returns The query vectors and the shared fields.
 * @throws `InvalidArgumentError` for a `topK` out of range, `vectors` that are not an array, or
 *   a bad filter; `InvalidVectorError` for a bad vector.
 *
 * @example
 * ```ts
 * searchBody({ vectors: [[1, 0]], topK: 5, includePayload: false, includeVector: false }, 100, 64);
 * // { vectors: [[1, 0]], fields: { limit: 5, with_payload: ['__vecmesh_id'], with_vector: false, params: { hnsw_ef: 64 } } }
 * ```
 */
export function searchBody(
  request: BackendSearchRequest,
  maxTopK: number,
  ef: number | undefined,
): QdrantSearchBody {
  const { topK } = request;
  if (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 1 || topK > maxTopK) {
    throw new InvalidArgumentError(
      `\`request.topK\` must be an integer in [1, ${maxTopK}], received ${describeValue(topK)}`,
    );
  }
  const raw: unknown = request.vectors;
  if (!Array.isArray(raw)) {
    throw new InvalidArgumentError(
      `\`request.vectors\` must be an array, received ${describeValue(raw)}`,
    );
  }
  const first: unknown = raw[0];
  const dimension =
    ArrayBuffer.isView(first) || Array.isArray(first) ? (first as ArrayLike<number>).length : 0;
  const vectors = (raw as unknown[]).map((v, i) =>
    Array.from(toVector(v, dimension, `request.vectors[${i}]`)),
  );
  const fields: Record<string, unknown> = {
    limit: topK,
    // The reserved key alone when payloads are not wanted: hits need their original ids.
    with_payload: request.includePayload ? true : [QDRANT_ID_KEY],
    with_vector: request.includeVector,
  };
  if (request.filter !== undefined) fields.filter = compileFilter(request.filter);
  const hnswEf = request.params?.ef ?? ef;
  const params: Record<string, unknown> = {};
  if (hnswEf !== undefined) params.hnsw_ef = hnswEf;
  if (request.params?.exact !== undefined) params.exact = request.params.exact;
  if (Object.keys(params).length > 0) fields.params = params;
  return { vectors, fields };
}

/**
 * Runs the searches of a batch through the query API
 * (`POST /collections/{name}/points/query/batch`), at most `maxPerRequest` searches a request.
 *
 * @param send - The call's requests.
 * @param name - The collection.
 * @param request - The caller's request, for `includePayload` and `includeVector`.
 * @param body - Its searches, from {@link searchBody}.
 * @param metric - The collection's metric, to turn Qdrant's scores into vecmesh's.
 * @param maxPerRequest - Most searches one request holds.
 * @param meta - The call's meta.
 * @returns One list of hits per query vector, in order.
 * @throws `BackendError` (not retryable) for an answer of another shape; the classes of
 *   `qdrant-errors.ts` for a failed request.
 *
 * @example
 * ```ts
 * const body = searchBody(request, 100, undefined);
 * await runSearch(send, 'docs', request, body, 'cosine', 100, meta); // [[{ id: 'a', score: 0.9 }]]
 * ```
 */
export async function runSearch(
  send: QdrantSend,
  name: string,
  request: BackendSearchRequest,
  body: QdrantSearchBody,
  metric: Metric,
  maxPerRequest: number,
  meta: ErrorMeta,
): Promise<Hit[][]> {
  const { includePayload, includeVector } = request;
  const out: Hit[][] = [];
  for (const chunk of chunks(body.vectors, maxPerRequest)) {
    const searches = chunk.map((query) => ({ query, ...body.fields }));
    const answer = await send<unknown>((api, init) =>
      api.queryBatchPoints({ collection_name: name, searches }, init),
    );
    out.push(...hitListsOf(answer, chunk.length, metric, includePayload, includeVector, meta));
  }
  return out;
}

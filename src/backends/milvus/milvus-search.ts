/**
 * A batched search as Milvus search requests: the request checked (before the collection is
 * described), planned against the collection (query vectors, output fields, `ef`, and how many
 * query vectors one request may hold), and run.
 *
 * @module
 */
import type { ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { InvalidArgumentError, describeValue, type ErrorMeta } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import type { Hit } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { checkCount, checkList } from '../argument-checks.js';
import type { BackendCapabilities, BackendSearchRequest } from '../backend.js';
import { callMilvus } from './milvus-call.js';
import type { MilvusDescribed } from './milvus-collections.js';
import { checkStatus } from './milvus-errors.js';
import { compileFilter } from './milvus-filter.js';
import { MILVUS_LIMITS } from './milvus-options.js';
import { hitsOf } from './milvus-rows.js';
import { MILVUS_FIELDS } from './milvus-schema.js';

const F = MILVUS_FIELDS;
// Results of one search request: Milvus bounds nq * topK.
const MAX_RESULTS_PER_SEARCH = MILVUS_LIMITS.maxTopK;

/** A search request after its checks. */
export interface CheckedSearch {
  /** The query vectors, as given. */
  readonly vectors: readonly Float32Array[];
  /** Hits wanted per query vector. */
  readonly topK: number;
  /** The compiled filter; empty for none. */
  readonly filter: string;
}

/** What the Milvus search requests of one batch share, and how to split the batch. */
export interface MilvusSearchPlan extends CheckedSearch {
  /** Return payloads with hits. */
  readonly includePayload: boolean;
  /** Return vectors with hits. */
  readonly includeVector: boolean;
  /** The query vectors, each of the collection's dimension. */
  readonly queries: number[][];
  /** Output fields: the key, and the payload and vector when asked for. */
  readonly fields: string[];
  /** Search params: `ef` on HNSW collections. */
  readonly params: Record<string, number>;
  /** Most query vectors in one request, so that `nq * topK` stays within Milvus's bound. */
  readonly perRequest: number;
}

/**
 * Checks a search request: an object, at most `maxQueriesPerRequest` vectors, a `topK` from 1
 * to `maxTopK`, and a filter Milvus can run.
 *
 * @param request - The caller's request.
 * @param capabilities - The backend's limits.
 * @param endpoint - The backend, for messages.
 * @returns The vectors, `topK` and the compiled filter.
 * @throws `InvalidArgumentError` for any of those; `InvalidFilterError` for a bad filter.
 *
 * @example
 * ```ts
 * checkSearch({ vectors: [q], topK: 5, includePayload: true, includeVector: false }, caps, endpoint);
 * // { vectors: [q], topK: 5, filter: '' }
 * ```
 */
export function checkSearch(
  request: BackendSearchRequest,
  capabilities: BackendCapabilities,
  endpoint: string,
): CheckedSearch {
  if (!isPlainObject(request)) {
    throw new InvalidArgumentError(
      `\`request\` must be an object, received ${describeValue(request)}`,
    );
  }
  const vectors = checkList(
    request.vectors,
    'request.vectors',
    capabilities.maxQueriesPerRequest,
    endpoint,
  );
  const topK = checkCount(request.topK, 'request.topK', capabilities.maxTopK);
  const filter = request.filter === undefined ? '' : compileFilter(request.filter);
  return { vectors, topK, filter };
}

/**
 * Plans the search of a checked request on a described collection. HNSW collections search
 * with `ef = max(params.ef ?? defaultEf, topK)` (Milvus needs `ef >= topK`).
 *
 * @param request - The caller's request.
 * @param checked - What {@link checkSearch} answered for it.
 * @param described - The collection.
 * @param defaultEf - The backend's `defaultEf` option.
 * @returns The plan.
 * @throws `InvalidVectorError` for a vector of another dimension or a bad value.
 *
 * @example
 * ```ts
 * planSearch(request, checked, { dimension: 3, metric: 'cosine', indexType: 'HNSW' }, 64).params;
 * // { ef: 64 }
 * ```
 */
export function planSearch(
  request: BackendSearchRequest,
  checked: CheckedSearch,
  described: MilvusDescribed,
  defaultEf: number,
): MilvusSearchPlan {
  const { topK } = checked;
  const queries = checked.vectors.map((v, i) =>
    Array.from(toVector(v, described.dimension, `request.vectors[${i}]`, described.metric)),
  );
  const fields: string[] = [F.id];
  if (request.includePayload) fields.push(F.payload);
  if (request.includeVector) fields.push(F.vector);
  const params: Record<string, number> = {};
  if (described.indexType === 'HNSW') {
    params.ef = Math.max(request.params?.ef ?? defaultEf, topK);
  }
  const perRequest = Math.max(1, Math.floor(MAX_RESULTS_PER_SEARCH / topK));
  return {
    ...checked,
    includePayload: request.includePayload,
    includeVector: request.includeVector,
    queries,
    fields,
    params,
    perRequest,
  };
}

/**
 * Runs a planned search: `perRequest` query vectors per request.
 *
 * @param client - The SDK client.
 * @param collection - The collection.
 * @param plan - What {@link planSearch} answered.
 * @param consistency - How fresh the answer must be.
 * @param signal - The call's signal, if any.
 * @param meta - The call's meta.
 * @returns One list of hits per query vector, best first.
 * @throws The classes of `milvus-errors.ts`; `AbortedError` or `TimeoutError` when the signal
 *   aborts first.
 *
 * @example
 * ```ts
 * const hits = await runSearch(client, 'docs', plan, consistency, signal, meta);
 * ```
 */
export async function runSearch(
  client: MilvusClient,
  collection: string,
  plan: MilvusSearchPlan,
  consistency: ConsistencyLevelEnum,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): Promise<Hit[][]> {
  const { queries, perRequest } = plan;
  const out: Hit[][] = [];
  for (let start = 0; start < queries.length; start += perRequest) {
    const group = queries.slice(start, start + perRequest);
    const answer = await callMilvus(
      () =>
        client.search({
          collection_name: collection,
          anns_field: F.vector,
          data: group,
          limit: plan.topK,
          filter: plan.filter,
          output_fields: plan.fields,
          params: plan.params,
          consistency_level: consistency,
        }),
      signal,
      meta,
    );
    checkStatus(answer, meta);
    const lists = (group.length === 1 ? [answer.results] : answer.results) as unknown[];
    for (let i = 0; i < group.length; i++) {
      out.push(hitsOf(lists[i], plan.includePayload, plan.includeVector));
    }
  }
  return out;
}

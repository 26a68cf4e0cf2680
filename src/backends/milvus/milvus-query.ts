/**
 * Queries (reads by filter) against a Milvus collection: rows with chosen fields, counts, and
 * points by primary key.
 *
 * @module
 */
import type { ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { BackendError, describeValue, type ErrorMeta } from '../../core/errors.js';
import type { StoredPoint } from '../../core/types.js';
import { idFilters } from './milvus-batches.js';
import { callMilvus } from './milvus-call.js';
import { checkStatus } from './milvus-errors.js';
import { storedPointOf } from './milvus-rows.js';
import { MILVUS_FIELDS as F } from './milvus-schema.js';

/** One query. */
export interface MilvusQuery {
  /** The collection. */
  readonly collection: string;
  /** A boolean expression; empty for every row. */
  readonly filter: string;
  /** The fields to answer, or `['count(*)']`. */
  readonly fields: string[];
  /** How fresh the answer must be. */
  readonly consistency: ConsistencyLevelEnum;
  /** Most rows, and query params, for paged queries. */
  readonly page?: { limit: number; params: Record<string, string> };
}

/**
 * Runs one query and checks its status.
 *
 * @param client - The SDK client.
 * @param query - What to ask.
 * @param signal - The call's signal, if any.
 * @param meta - The call's meta.
 * @returns The rows.
 * @throws The classes of `milvus-errors.ts`; `AbortedError` or `TimeoutError` when the signal
 *   aborts first.
 *
 * @example
 * ```ts
 * await queryRows(client, { collection: 'docs', filter: 'vm_id in ["n:1"]', fields: ['vm_id'], consistency }, signal, meta);
 * ```
 */
export async function queryRows(
  client: MilvusClient,
  query: MilvusQuery,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): Promise<Record<string, unknown>[]> {
  const { page } = query;
  const answer = await callMilvus(
    () =>
      client.query({
        collection_name: query.collection,
        filter: query.filter,
        output_fields: query.fields,
        consistency_level: query.consistency,
        ...(page === undefined ? {} : { limit: page.limit, params: page.params }),
      }),
    signal,
    meta,
  );
  checkStatus(answer, meta);
  return answer.data as Record<string, unknown>[];
}

/**
 * Counts the rows matching a filter (`count(*)`).
 *
 * @param client - The SDK client.
 * @param collection - The collection.
 * @param filter - A boolean expression; empty for every row.
 * @param consistency - How fresh the count must be.
 * @param signal - The call's signal, if any.
 * @param meta - The call's meta; its `backend` names the server in errors.
 * @returns The count.
 * @throws `BackendError` when Milvus answers something that is not a count; what
 *   {@link queryRows} throws.
 *
 * @example
 * ```ts
 * await countRows(client, 'docs', '', consistency, signal, meta); // 42
 * ```
 */
export async function countRows(
  client: MilvusClient,
  collection: string,
  filter: string,
  consistency: ConsistencyLevelEnum,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): Promise<number> {
  const query = { collection, filter, fields: ['count(*)'], consistency };
  const rows = await queryRows(client, query, signal, meta);
  const value = rows[0]?.['count(*)'];
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new BackendError(
      `${meta.backend ?? 'milvus'} \`${meta.operation ?? 'count'}\`: Milvus answered a count of ${describeValue(value)}`,
      { meta },
    );
  }
  return n;
}

/**
 * Reads points by primary key, in the order of the keys, without missing or repeated ones.
 *
 * @param client - The SDK client.
 * @param collection - The collection.
 * @param keys - Primary keys (at least one).
 * @param withVector - Whether to read vectors too.
 * @param consistency - How fresh the answer must be.
 * @param signal - The call's signal, if any.
 * @param meta - The call's meta.
 * @returns The points found.
 * @throws What {@link queryRows} throws.
 *
 * @example
 * ```ts
 * await readPoints(client, 'docs', ['n:1', 's:a'], false, consistency, signal, meta);
 * ```
 */
export async function readPoints(
  client: MilvusClient,
  collection: string,
  keys: readonly string[],
  withVector: boolean,
  consistency: ConsistencyLevelEnum,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): Promise<StoredPoint[]> {
  const fields = withVector ? [F.id, F.payload, F.vector] : [F.id, F.payload];
  const found = new Map<string, StoredPoint>();
  for (const filter of idFilters(keys)) {
    for (const row of await queryRows(
      client,
      { collection, filter, fields, consistency },
      signal,
      meta,
    )) {
      const stored = storedPointOf(row, withVector);
      if (stored !== undefined) found.set(stored.key, stored.point);
    }
  }
  const out: StoredPoint[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const point = found.get(key);
    if (point === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(point);
  }
  return out;
}

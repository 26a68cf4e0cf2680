/**
 * The requests of the point operations: writes (upserts, deletes) and reads by id, each split
 * into requests of at most `maxPointsPerRequest` points, and exact counts. The arguments come
 * checked and converted (`qdrant-points.ts`, `qdrant-ids.ts`); each request goes through the
 * call's `send`.
 *
 * @module
 */
import type { ErrorMeta } from '../../core/errors.js';
import type { StoredPoint } from '../../core/types.js';
import { unexpectedAnswer } from './qdrant-errors.js';
import type { QdrantFilter } from './qdrant-filter.js';
import type { QdrantApi, QdrantInit, QdrantSend } from './qdrant-http.js';
import { recordsOf, toStoredPoint } from './qdrant-points.js';

/**
 * Splits a list into consecutive pieces of at most `size` items.
 *
 * @param list - The list.
 * @param size - Most items a piece holds (a positive integer).
 * @returns The pieces, in order; none for an empty list.
 *
 * @example
 * ```ts
 * chunks(['a', 'b', 'c'], 2); // [['a', 'b'], ['c']]
 * ```
 */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Sends a write in requests of at most `maxPerRequest` items, one after the other; a failed
 * request leaves those before it applied.
 *
 * @param send - The call's requests.
 * @param items - What to write: Qdrant points to upsert, or UUIDs to delete.
 * @param maxPerRequest - Most items one request holds.
 * @param write - The request of one chunk of items.
 * @throws The classes of `qdrant-errors.ts` for a failed request.
 *
 * @example
 * ```ts
 * await writeInChunks(send, uuids, 1000, (api, points, init) =>
 *   api.deletePoints({ collection_name: 'docs', wait: true, points }, init));
 * ```
 */
export async function writeInChunks<T>(
  send: QdrantSend,
  items: readonly T[],
  maxPerRequest: number,
  write: (api: QdrantApi, chunk: T[], init: QdrantInit) => Promise<{ data: unknown }>,
): Promise<void> {
  for (const chunk of chunks(items, maxPerRequest)) {
    await send((api, init) => write(api, chunk, init));
  }
}

/**
 * Reads points by UUID (`POST /collections/{name}/points`), in requests of at most
 * `maxPerRequest` ids, and answers them in the order asked, without the missing ones.
 *
 * @param send - The call's requests.
 * @param name - The collection.
 * @param uuids - Qdrant's ids of the points, without repeats.
 * @param withVector - Whether to read the vectors too.
 * @param maxPerRequest - Most ids one request holds.
 * @param meta - The call's meta; its `backend` is the server, for errors.
 * @returns The points found, with their original ids and the caller's payloads.
 * @throws `BackendError` (not retryable) for an answer of another shape; the classes of
 *   `qdrant-errors.ts` for a failed request.
 *
 * @example
 * ```ts
 * await readPoints(send, 'docs', qdrantPointIds(['a', 'missing'], meta), false, 1000, meta);
 * // [{ id: 'a', payload: { lang: 'en' } }]
 * ```
 */
export async function readPoints(
  send: QdrantSend,
  name: string,
  uuids: readonly string[],
  withVector: boolean,
  maxPerRequest: number,
  meta: ErrorMeta,
): Promise<StoredPoint[]> {
  const origin = meta.backend ?? 'qdrant';
  const found = new Map<string, StoredPoint>();
  for (const chunk of chunks(uuids, maxPerRequest)) {
    const records = await send<unknown>((api, init) =>
      api.getPoints(
        { collection_name: name, ids: chunk, with_payload: true, with_vector: withVector },
        init,
      ),
    );
    for (const record of recordsOf(records, meta)) {
      found.set(String(record.id), toStoredPoint(record, withVector, origin));
    }
  }
  return uuids.flatMap((uuid) => {
    const point = found.get(uuid);
    return point === undefined ? [] : [point];
  });
}

/**
 * Counts points exactly (`POST /collections/{name}/points/count` with `exact: true`).
 *
 * @param send - The call's requests.
 * @param name - The collection.
 * @param filter - The compiled filter, or `undefined` for every point.
 * @param meta - The call's meta.
 * @returns The count.
 * @throws `BackendError` (not retryable) for an answer without a count; the classes of
 *   `qdrant-errors.ts` for a failed request.
 *
 * @example
 * ```ts
 * await countPoints(send, 'docs', compileFilter(parseFilter({ lang: 'en' })!), meta); // 3
 * ```
 */
export async function countPoints(
  send: QdrantSend,
  name: string,
  filter: QdrantFilter | undefined,
  meta: ErrorMeta,
): Promise<number> {
  const answer = await send<{ count?: unknown }>((api, init) =>
    api.countPoints(
      { collection_name: name, exact: true, ...(filter === undefined ? {} : { filter }) },
      init,
    ),
  );
  if (typeof answer.count !== 'number') throw unexpectedAnswer(meta, 'no `count`');
  return answer.count;
}

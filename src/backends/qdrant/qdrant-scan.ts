/**
 * The pages of `scanIds` over Qdrant's scroll API: the page argument checked and turned into
 * `limit` and `offset`, the scroll request, and Qdrant's `next_page_offset` as the next cursor.
 *
 * @module
 */
import { InvalidArgumentError, describeValue, type ErrorMeta } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import type { IdPage } from '../backend.js';
import type { QdrantSend } from './qdrant-http.js';
import { QDRANT_ID_KEY } from './qdrant-ids.js';
import { idOf, recordsOf } from './qdrant-points.js';

/** A cursor of `scanIds`: Qdrant's `next_page_offset`, a UUID or an unsigned integer. */
const CURSOR_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,20})$/;

/** One scroll request's paging. */
export interface QdrantScroll {
  /** Most points in the page. */
  readonly limit: number;
  /** Where the page starts (Qdrant's `offset`); absent for the first page. */
  readonly offset?: string | number;
}

/**
 * Checks a `scanIds` page argument and turns it into Qdrant's scroll paging.
 *
 * @param page - The caller's `{ cursor?, limit }`.
 * @param meta - The call's meta.
 * @returns `limit`, and `offset` from the cursor (a number when the cursor is one).
 * @throws `InvalidArgumentError` when `page` is not an object, `limit` not a positive integer,
 *   or `cursor` not one that `scanIds` returned.
 *
 * @example
 * ```ts
 * scrollOf({ cursor: '42', limit: 100 }, meta); // { limit: 100, offset: 42 }
 * ```
 */
export function scrollOf(page: { cursor?: string; limit: number }, meta: ErrorMeta): QdrantScroll {
  if (!isPlainObject(page)) {
    throw new InvalidArgumentError(`\`page\` must be an object, received ${describeValue(page)}`, {
      meta,
    });
  }
  const { cursor, limit } = page;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(
      `\`page.limit\` must be a positive integer, received ${describeValue(limit)}`,
      { meta },
    );
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || !CURSOR_PATTERN.test(cursor))) {
    throw new InvalidArgumentError(
      `\`page.cursor\` must be a cursor an earlier \`scanIds\` returned, received ${describeValue(cursor)}`,
      { meta },
    );
  }
  if (cursor === undefined) return { limit };
  return { limit, offset: /^\d+$/.test(cursor) ? Number(cursor) : cursor };
}

/**
 * The next cursor of a page: Qdrant's `next_page_offset` as a string, when there is one.
 *
 * @param next - `next_page_offset` of the scroll answer.
 * @returns The cursor, or `undefined` when the scan is complete.
 *
 * @example
 * ```ts
 * nextCursorOf(42);   // '42'
 * nextCursorOf(null); // undefined
 * ```
 */
export function nextCursorOf(next: unknown): string | undefined {
  return typeof next === 'string' || typeof next === 'number' ? String(next) : undefined;
}

/**
 * One page of ids in Qdrant's scroll order (by point UUID), through
 * `POST /collections/{name}/points/scroll` with only the reserved id key of each payload.
 *
 * @param send - The call's requests.
 * @param name - The collection.
 * @param page - The caller's `{ cursor?, limit }`, checked as by {@link scrollOf}.
 * @param meta - The call's meta.
 * @returns The original ids of the page, and the next cursor unless the scan is complete.
 * @throws `InvalidArgumentError` for a bad page; `BackendError` (not retryable) for an answer
 *   of another shape; the classes of `qdrant-errors.ts` for a failed request.
 *
 * @example
 * ```ts
 * await scanPage(send, 'docs', { limit: 2 }, meta); // { ids: ['a', 5], nextCursor: '<uuid>' }
 * ```
 */
export async function scanPage(
  send: QdrantSend,
  name: string,
  page: { cursor?: string; limit: number },
  meta: ErrorMeta,
): Promise<IdPage> {
  const { limit, offset } = scrollOf(page, meta);
  const answer = await send<{ points?: unknown; next_page_offset?: unknown }>((api, init) =>
    api.scrollPoints(
      {
        collection_name: name,
        limit,
        with_payload: [QDRANT_ID_KEY],
        with_vector: false,
        ...(offset === undefined ? {} : { offset }),
      },
      init,
    ),
  );
  const ids = recordsOf(answer.points, meta).map(idOf);
  const nextCursor = nextCursorOf(answer.next_page_offset);
  return nextCursor === undefined ? { ids } : { ids, nextCursor };
}

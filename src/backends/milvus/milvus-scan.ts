/**
 * The pages of `scanIds` on Milvus: primary-key order through iterator queries (as the official
 * SDKs' query iterators ask for it), and opaque cursors that resume after the last key of a page.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import { checkCount } from '../argument-checks.js';
import type { IdPage } from '../backend.js';
import { ScanCursorCodec } from '../scan-pages.js';
import { quoteString } from './milvus-filter.js';
import { MILVUS_FIELDS, decodeId } from './milvus-schema.js';

const F = MILVUS_FIELDS;
const CURSORS = new ScanCursorCodec('mv1.', 'page.cursor', 'a Milvus backend');

// Scan pages ask Milvus for primary-key order, as the official SDKs' query iterators do.
const SCAN_PARAMS = { iterator: 'True', reduce_stop_for_best: 'True' };

/** One scan page's query. */
export interface MilvusScan {
  /** The filter: keys after the cursor's, or every key. */
  readonly filter: string;
  /** Most ids in the page. */
  readonly limit: number;
  /** The query's params, which ask for primary-key order. */
  readonly params: Record<string, string>;
}

/**
 * Checks a `scanIds` page argument and builds its query.
 *
 * @param page - The caller's `{ cursor?, limit }`.
 * @param maxLimit - The largest `limit` accepted.
 * @returns The filter, the limit and the params.
 * @throws `InvalidArgumentError` when `page` is not an object, `limit` is not an integer from 1
 *   to `maxLimit`, or `cursor` was not issued by a Milvus backend.
 *
 * @example
 * ```ts
 * scanOf({ limit: 100 }, 2000); // { filter: 'vm_id > ""', limit: 100, params: { iterator: 'True', ... } }
 * ```
 */
export function scanOf(page: { cursor?: string; limit: number }, maxLimit: number): MilvusScan {
  if (!isPlainObject(page)) {
    throw new InvalidArgumentError(`\`page\` must be an object, received ${describeValue(page)}`);
  }
  const limit = checkCount(page.limit, 'page.limit', maxLimit);
  const after = page.cursor === undefined ? undefined : CURSORS.decode(page.cursor);
  const filter = after === undefined ? `${F.id} > ""` : `${F.id} > ${quoteString(after)}`;
  return { filter, limit, params: SCAN_PARAMS };
}

/**
 * The page of the rows a scan query answered (asked for `limit + 1` rows, to know whether
 * there are more). Each page is also sorted here, by code point as Milvus orders VarChar keys.
 *
 * @param rows - The rows, with their keys.
 * @param limit - The page's limit.
 * @returns The ids, and a cursor when there are more.
 *
 * @example
 * ```ts
 * idPageOf([{ vm_id: 'n:2' }, { vm_id: 'n:1' }], 1); // { ids: [1], nextCursor: 'mv1.bjox' }
 * ```
 */
export function idPageOf(rows: readonly Record<string, unknown>[], limit: number): IdPage {
  const keys = rows
    .map((r) => r[F.id])
    .filter((k): k is string => typeof k === 'string' && decodeId(k) !== undefined)
    .sort(compareCodePoints);
  return CURSORS.page(keys.slice(0, limit), keys.length > limit);
}

/** Orders strings by code point, as Milvus orders VarChar keys (by UTF-8 bytes). */
function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

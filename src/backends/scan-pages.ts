/**
 * The pages of `scanIds` for stores that order points by their `idKey` themselves: the memory
 * backend, the Milvus adapter and the reference node's store. A page ends at a key; its cursor
 * is that key behind a prefix that names the kind of store, so that callers treat it as opaque
 * and one store refuses another's cursor.
 *
 * Cursors outlive the call that made them: the reference node's cross HTTP, and a topology
 * change's checkpoint keeps one on disk. A prefix therefore stands for one format for good
 * (a new format takes a new prefix), and the prefixes `m1.`, `mv1.` and `r1.` stay as they are.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import { parseIdKey } from '../core/ids.js';
import type { PointId } from '../core/types.js';

/**
 * Turns the last key of a page into an opaque cursor and back, for one kind of store.
 *
 * @example
 * ```ts
 * const cursors = new ScanCursorCodec('m1.', 'page.cursor', 'a memory backend');
 * cursors.decode(cursors.encode('s:a')); // 's:a'
 * cursors.page(['n:1', 'n:2'], true);    // { ids: [1, 2], nextCursor: 'm1.bjoy' }
 * ```
 */
export class ScanCursorCodec {
  /**
   * @param prefix - Starts every cursor: the store's kind and the format's version, e.g. `m1.`.
   * @param path - The cursor argument's name in messages, e.g. `page.cursor`.
   * @param issuer - Who issues these cursors, in messages, e.g. `a memory backend`.
   */
  constructor(
    private readonly prefix: string,
    private readonly path: string,
    private readonly issuer: string,
  ) {}

  /**
   * Turns the last key of a page into a cursor.
   *
   * @param key - An `idKey`.
   * @returns The cursor: the prefix, then the key's UTF-8 bytes in base64url.
   *
   * @example
   * ```ts
   * new ScanCursorCodec('r1.', 'cursor', 'this node').encode('n:1'); // 'r1.bjox'
   * ```
   */
  encode(key: string): string {
    return this.prefix + Buffer.from(key, 'utf8').toString('base64url');
  }

  /**
   * Reads a cursor made by {@link ScanCursorCodec.encode} back into the key to resume after.
   *
   * @param cursor - The caller's cursor.
   * @returns The key.
   * @throws {@link InvalidArgumentError} when it is not a cursor of this codec (another
   *   prefix, damaged text, or a key no point can have).
   *
   * @example
   * ```ts
   * const cursors = new ScanCursorCodec('m1.', 'page.cursor', 'a memory backend');
   * cursors.decode('nonsense');
   * // throws: `page.cursor` is not a cursor issued by a memory backend, received string 'nonsense'
   * ```
   */
  decode(cursor: unknown): string {
    if (typeof cursor === 'string' && cursor.startsWith(this.prefix)) {
      const key = Buffer.from(cursor.slice(this.prefix.length), 'base64url').toString('utf8');
      // base64url decoding is lenient; only a cursor that round-trips was issued here.
      if (parseIdKey(key) !== undefined && this.encode(key) === cursor) return key;
    }
    throw new InvalidArgumentError(
      `\`${this.path}\` is not a cursor issued by ${this.issuer}, received ${describeValue(cursor)}`,
    );
  }

  /**
   * The `scanIds` answer for a page of keys.
   *
   * @param keys - The page's keys (valid `idKey`s), in scan order.
   * @param more - Whether keys follow the page.
   * @returns The ids, and a cursor after the last key when more follow.
   *
   * @example
   * ```ts
   * new ScanCursorCodec('r1.', 'cursor', 'this node').page(['n:1'], false); // { ids: [1] }
   * ```
   */
  page(keys: readonly string[], more: boolean): { ids: PointId[]; nextCursor?: string } {
    const ids = keys.map((k) => parseIdKey(k) as PointId);
    const last = keys.at(-1);
    return more && last !== undefined ? { ids, nextCursor: this.encode(last) } : { ids };
  }
}

/**
 * One page of a sorted key list, strictly after a key. Resuming after the last key of a page
 * never skips a key that is in the list throughout the scan, whatever is added or removed
 * between pages, since the page starts by value rather than by position.
 *
 * @param sortedKeys - Every key, in UTF-16 code unit order (the default `sort()`).
 * @param afterKey - The last key of the previous page, or `undefined` to start.
 * @param limit - Most keys to return.
 * @returns The keys, and whether more follow.
 *
 * @example
 * ```ts
 * keysAfter(['n:1', 'n:2', 's:a'], 'n:1', 1); // { keys: ['n:2'], more: true }
 * ```
 */
export function keysAfter(
  sortedKeys: readonly string[],
  afterKey: string | undefined,
  limit: number,
): { keys: string[]; more: boolean } {
  let start = 0;
  if (afterKey !== undefined) {
    // Binary search for the first key greater than `afterKey`; `<=` compares UTF-16 code
    // units, the order of the default sort.
    let hi = sortedKeys.length;
    while (start < hi) {
      const mid = (start + hi) >>> 1;
      if ((sortedKeys[mid] as string) <= afterKey) start = mid + 1;
      else hi = mid;
    }
  }
  const end = Math.min(sortedKeys.length, start + limit);
  return { keys: sortedKeys.slice(start, end), more: end < sortedKeys.length };
}

/**
 * Splitting of requests so that no single gRPC message nears Milvus's 64 MiB limit, whatever
 * the mesh sends: rows of an upsert by their estimated size, id lists of `get` and `delete` by
 * the length of the `in [...]` expression they become.
 *
 * @module
 */
import { quoteString } from './milvus-filter.js';
import { MILVUS_FIELDS } from './milvus-schema.js';

/** Most bytes of rows (vectors, ids, JSON) in one upsert message. */
export const MAX_UPSERT_BYTES = 16 * 1024 * 1024;

/** Most characters of one `vm_id in [...]` expression. */
export const MAX_EXPRESSION_CHARS = 1024 * 1024;

/** Most ids in one `in [...]` expression (and one query's `limit`). */
export const MAX_IDS_PER_EXPRESSION = 4096;

/**
 * Splits items into consecutive chunks whose summed size and count stay within limits. An item
 * larger than `maxSize` gets a chunk of its own.
 *
 * @param items - The items, in order.
 * @param sizeOf - The size of one item.
 * @param maxSize - Most summed size per chunk.
 * @param maxCount - Most items per chunk.
 * @returns The chunks, in order; none is empty.
 *
 * @example
 * ```ts
 * chunkBySize(['aa', 'b', 'ccc'], (s) => s.length, 3, 10); // [['aa', 'b'], ['ccc']]
 * ```
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxSize: number,
  maxCount: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const s = sizeOf(item);
    if (current.length > 0 && (size + s > maxSize || current.length >= maxCount)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * `vm_id in [...]` expressions covering the keys (each once), each within the expression
 * limits.
 *
 * @param keys - Primary keys.
 * @returns The expressions; none for no keys.
 *
 * @example
 * ```ts
 * idFilters(['n:1', 's:a', 'n:1']); // ['vm_id in ["n:1", "s:a"]']
 * ```
 */
export function idFilters(keys: readonly string[]): string[] {
  const unique = [...new Set(keys)].map(quoteString);
  return chunkBySize(unique, (q) => q.length + 2, MAX_EXPRESSION_CHARS, MAX_IDS_PER_EXPRESSION).map(
    (chunk) => `${MILVUS_FIELDS.id} in [${chunk.join(', ')}]`,
  );
}

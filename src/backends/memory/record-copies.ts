/**
 * The copies of stored points that an in-process store hands out: search hits and `get`
 * results. The memory backend and the reference node's store keep their points as records they
 * own; callers get copies, so that nothing they do to an answer changes what is stored.
 *
 * @module
 */
import { clonePayload } from '../../core/payload.js';
import type { Hit, Payload, PointId, StoredPoint } from '../../core/types.js';
import type { Ranked } from './top-k.js';

/** What a stored record must hold to be copied out. */
export interface CopyableRecord {
  /** The point's id. */
  readonly id: PointId;
  /** The stored vector (copied, never handed out). */
  readonly vector: Float32Array;
  /** The stored payload (copied, never handed out). */
  readonly payload: Payload | undefined;
}

/**
 * The hits of a search, one list per query, from the ranked records.
 *
 * @param ranked - Per query, the best records with their scores, best first.
 * @param includePayload - Give each hit a copy of its payload (`{}` for none).
 * @param includeVector - Give each hit a copy of its vector.
 * @returns The hits, in the same order.
 *
 * @example
 * ```ts
 * hitsOf([[{ score: 1, key: 'n:1', item: record }]], true, false);
 * // [[{ id: 1, score: 1, payload: { lang: 'en' } }]]
 * ```
 */
export function hitsOf(
  ranked: readonly (readonly Ranked<CopyableRecord>[])[],
  includePayload: boolean,
  includeVector: boolean,
): Hit[][] {
  return ranked.map((list) =>
    list.map(({ score, item }): Hit => {
      const hit: Hit = { id: item.id, score };
      if (includePayload) hit.payload = clonePayload(item.payload) ?? {};
      if (includeVector) hit.vector = Array.from(item.vector);
      return hit;
    }),
  );
}

/**
 * The answer of `get`: the points with these keys, in the order asked, missing and repeated
 * ones left out.
 *
 * @param keys - The `idKey`s asked for.
 * @param lookup - The stored record of a key, if any.
 * @param includeVector - Give each point a copy of its vector.
 * @returns Copies of the points found (each with a payload, `{}` for none).
 *
 * @example
 * ```ts
 * storedPointsOf(['n:1', 'n:9', 'n:1'], (key) => records.get(key), false);
 * // [{ id: 1, payload: { lang: 'en' } }]
 * ```
 */
export function storedPointsOf(
  keys: Iterable<string>,
  lookup: (key: string) => CopyableRecord | undefined,
  includeVector: boolean,
): StoredPoint[] {
  const out: StoredPoint[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const r = lookup(key);
    if (r === undefined || seen.has(key)) continue;
    seen.add(key);
    const point: StoredPoint = { id: r.id, payload: clonePayload(r.payload) ?? {} };
    if (includeVector) point.vector = Array.from(r.vector);
    out.push(point);
  }
  return out;
}

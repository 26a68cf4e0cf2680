/**
 * How a collection answers a search: which points are scored, and how.
 *
 * - Exact (`exact: true`, a `flat` index, or a collection of at most {@link EXACT_MAX_POINTS}
 *   points): every candidate is scored, the best `k` kept by a bounded heap. The answer is the
 *   true top-k, ties broken by id key: the memory backend's own search (`exact-search.ts`).
 * - HNSW: usearch walks the graph for `max(ef, k)` candidates (see `ann-index.ts` for `ef`);
 *   the candidates are rescored exactly and the best `k` kept.
 * - Filtered: the filter is evaluated once per request over every point. When the matching
 *   points are few (at most {@link EXACT_MAX_POINTS}) or rare (under
 *   {@link ANN_MIN_MATCHING_SHARE} of the collection), they are scored exactly. Otherwise the
 *   graph is asked for enough candidates that `k` matching ones are expected among them
 *   (oversampled by the inverse of the matching share, twice over), and a query that still
 *   finds fewer than `k` matching candidates falls back to the exact scan of the matching
 *   points. Every hit matches the filter either way.
 * - Points not in the graph yet (after a restart, until the background indexer has them): they
 *   are scored exactly next to the graph's candidates, so that a search never misses a point
 *   because of where it is. When they are most of the pool, the whole pool is scanned exactly.
 *
 * @module
 */
import { exactSearch } from '../../backends/memory/exact-search.js';
import { TopK, type Ranked } from '../../backends/memory/top-k.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { matchesFilter } from '../../core/filter.js';
import type { Metric } from '../../core/types.js';
import { higherIsBetter, norm, score } from '../../core/vector.js';
import type { AnnIndex } from './ann-index.js';
import type { PointTable, StoredRecord } from './point-table.js';

/** Collections (or filtered subsets) this small are always searched exactly. */
export const EXACT_MAX_POINTS = 256;

/** Below this share of matching points, a filtered search scans the matching points exactly. */
export const ANN_MIN_MATCHING_SHARE = 0.1;

/** A search, checked. */
export interface CollectionQuery {
  /** Query vectors of the collection's dimension. */
  readonly queries: readonly Float32Array[];
  /** Hits wanted per query. */
  readonly topK: number;
  /** Only points matching it are returned. */
  readonly filter: FilterNode | undefined;
  /** Requested search expansion. */
  readonly ef: number | undefined;
  /** Force an exact scan. */
  readonly exact: boolean;
}

/**
 * Runs a search over a collection's points and index.
 *
 * @param metric - The collection's metric.
 * @param table - Its points.
 * @param index - Its HNSW index, or `undefined` for a flat collection.
 * @param query - The checked search.
 * @param unindexed - Labels of the points in `table` that `index` does not hold.
 * @default unindexed none
 * @returns Per query, the best records with their exact scores, best first.
 * @example
 * ```ts
 * const [hits] = searchPoints('l2', table, index, { queries: [q], topK: 10, filter: undefined, ef: undefined, exact: false });
 * ```
 */
export function searchPoints(
  metric: Metric,
  table: PointTable,
  index: AnnIndex | undefined,
  query: CollectionQuery,
  unindexed: ReadonlySet<number> = new Set(),
): Ranked<StoredRecord>[][] {
  const { queries, topK, filter, exact } = query;
  const total = table.size;
  if (total === 0) return queries.map(() => []);
  const candidates = filter === undefined ? undefined : table.matching(filter);
  const pool = candidates?.length ?? total;
  if (pool === 0) return queries.map(() => []);
  const share = pool / total;
  const useAnn =
    index !== undefined &&
    !exact &&
    pool > EXACT_MAX_POINTS &&
    (candidates === undefined || share >= ANN_MIN_MATCHING_SHARE) &&
    // With most points outside the graph, the scan of those alone costs most of a full scan.
    unindexed.size * 2 < total;
  const everything = (): StoredRecord[] => candidates ?? table.matching(undefined);
  if (!useAnn) return exactSearch(metric, everything(), queries, topK);

  // Oversample so that about 2k matching candidates are expected among those returned.
  const oversampled = candidates === undefined ? topK : Math.ceil((2 * topK) / share);
  // An ef at or below the index's own changes nothing (usearch walks with max(ef, k) anyway), so
  // only a larger one asks for more results.
  const ef = query.ef !== undefined && query.ef > index.params.efSearch ? query.ef : 0;
  const wanted = Math.max(topK, ef, oversampled);
  // Asking for most of the collection costs about as much as scanning it, and is exact.
  if (wanted * 2 >= total) return exactSearch(metric, everything(), queries, topK);

  const labels = index.search(queries, wanted);
  const outside = outsideGraph(table, unindexed, filter);
  const need = Math.min(topK, pool);
  return queries.map((q, i) => {
    const top = new TopK<StoredRecord>(topK, higherIsBetter(metric));
    const qn = metric === 'cosine' ? norm(q) : 0;
    for (const label of labels[i] ?? []) {
      const r = table.byLabel(label);
      if (r === undefined || (filter !== undefined && !matchesFilter(filter, r.payload))) continue;
      top.offer(score(metric, q, r.vector, r.norm, qn), r.key, r);
    }
    // The graph never returns these (they are not in it): each is scored exactly.
    for (const r of outside) top.offer(score(metric, q, r.vector, r.norm, qn), r.key, r);
    if (top.size >= need) return top.drain();
    // Too few matching candidates in the graph's answer: the exact scan is always right.
    return exactSearch(metric, everything(), [q], topK)[0] ?? [];
  });
}

/** The points of `unindexed` that match the filter (all of them without one). */
function outsideGraph(
  table: PointTable,
  unindexed: ReadonlySet<number>,
  filter: FilterNode | undefined,
): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const label of unindexed) {
    const r = table.byLabel(label);
    if (r !== undefined && (filter === undefined || matchesFilter(filter, r.payload))) out.push(r);
  }
  return out;
}

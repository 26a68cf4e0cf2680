/**
 * Exact top-k search over records kept in memory: every candidate scored for every query, the
 * best `k` kept by a bounded heap. The memory backend searches this way always, the reference
 * node's store for small collections, `flat` indexes, `exact` requests and rare filters; one
 * implementation keeps their answers (scores and tie order) the same.
 *
 * @module
 */
import type { Metric } from '../../core/types.js';
import { higherIsBetter, norm, score } from '../../core/vector.js';
import { TopK, type Ranked } from './top-k.js';

/** What a record must hold to be scored. */
export interface ScoredRecord {
  /** `idKey` of the point: the tie-breaker of equal scores. */
  readonly key: string;
  /** The stored vector. */
  readonly vector: Float32Array;
  /** `norm(vector)`, used under cosine. */
  readonly norm: number;
}

/**
 * Scores every record for every query and keeps the best `topK` (ties by key).
 *
 * @param metric - The collection's metric.
 * @param records - The candidates (already filtered).
 * @param queries - Query vectors of the collection's dimension (non-zero under cosine).
 * @param topK - Hits wanted per query.
 * @param beforeQuery - Called before each query, e.g. to stop on an aborted signal.
 * @returns Per query, the best records with their scores, best first.
 *
 * @example
 * ```ts
 * exactSearch('l2', records, [Float32Array.of(0, 0)], 10)[0]; // [{ score, key, item }, ...]
 * ```
 */
export function exactSearch<T extends ScoredRecord>(
  metric: Metric,
  records: readonly T[],
  queries: readonly Float32Array[],
  topK: number,
  beforeQuery?: () => void,
): Ranked<T>[][] {
  const k = Math.min(topK, records.length);
  const higher = higherIsBetter(metric);
  return queries.map((q) => {
    beforeQuery?.();
    if (k === 0) return [];
    const top = new TopK<T>(k, higher);
    const qn = metric === 'cosine' ? norm(q) : 0;
    for (const r of records) top.offer(score(metric, q, r.vector, r.norm, qn), r.key, r);
    return top.drain();
  });
}

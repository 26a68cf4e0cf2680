/**
 * Merges per-shard hit lists into one global top-k.
 *
 * @module
 */
import { idKey } from '../core/ids.js';
import type { Hit, Metric } from '../core/types.js';

/**
 * Merges hit lists that are each sorted best first into the global best `offset + topK`, then
 * drops the first `offset`. A k-way merge over a binary heap of list heads: O(k log s) for s
 * lists, never a sort of everything.
 *
 * Ordering is metric-aware (higher first for `cosine` and `ip`, lower first for `l2`). Equal
 * scores keep list order (the list with the lower index first), so the result is deterministic.
 * An id present in several lists (a point caught mid-migration on two shards) appears once, with
 * its best score.
 *
 * @param lists - One list per shard, each sorted best first.
 * @param metric - The collection's metric.
 * @param topK - Hits wanted after the offset.
 * @param offset - Hits to skip.
 * @example
 * ```ts
 * mergeTopK([[{ id: 'a', score: 0.9 }], [{ id: 'b', score: 0.95 }]], 'cosine', 1, 0);
 * // [{ id: 'b', score: 0.95 }]
 * ```
 */
export function mergeTopK(
  lists: readonly (readonly Hit[])[],
  metric: Metric,
  topK: number,
  offset: number,
): Hit[] {
  const wanted = topK + offset;
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return dedup(nonEmpty[0] as readonly Hit[], wanted).slice(offset);

  const higherIsBetter = metric !== 'l2';
  // Heap of [list index, position]; `before(a, b)` says a's head beats b's head.
  const heap: [number, number][] = [];
  const headScore = (e: [number, number]): number =>
    (nonEmpty[e[0]] as readonly Hit[])[e[1]]?.score ?? 0;
  const before = (a: [number, number], b: [number, number]): boolean => {
    const sa = headScore(a);
    const sb = headScore(b);
    if (sa !== sb) return higherIsBetter ? sa > sb : sa < sb;
    return a[0] !== b[0] ? a[0] < b[0] : a[1] < b[1];
  };
  const swap = (i: number, j: number): void => {
    const t = heap[i] as [number, number];
    heap[i] = heap[j] as [number, number];
    heap[j] = t;
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i] as [number, number], heap[p] as [number, number])) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l] as [number, number], heap[best] as [number, number]))
        best = l;
      if (r < heap.length && before(heap[r] as [number, number], heap[best] as [number, number]))
        best = r;
      if (best === i) return;
      swap(i, best);
      i = best;
    }
  };
  for (let i = 0; i < nonEmpty.length; i++) {
    heap.push([i, 0]);
    up(heap.length - 1);
  }

  const out: Hit[] = [];
  const seen = new Set<string>();
  while (out.length < wanted && heap.length > 0) {
    const top = heap[0] as [number, number];
    const list = nonEmpty[top[0]] as readonly Hit[];
    const hit = list[top[1]] as Hit;
    const key = idKey(hit.id);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(hit);
    }
    if (top[1] + 1 < list.length) {
      top[1]++;
    } else {
      const last = heap.pop() as [number, number];
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
  return out.slice(offset);
}

function dedup(list: readonly Hit[], wanted: number): Hit[] {
  const out: Hit[] = [];
  const seen = new Set<string>();
  for (const hit of list) {
    if (out.length >= wanted) break;
    const key = idKey(hit.id);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(hit);
  }
  return out;
}

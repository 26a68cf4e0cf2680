/**
 * Least outstanding requests: the available replica with the fewest requests in flight.
 *
 * @module
 */
import type { BalancingPolicy } from './policy.js';
import { checkReplicaCount, cyclicAvailable, orderByKey } from './replica-view.js';

/** Per-shard state of {@link leastOutstandingPolicy}. */
export interface LeastOutstandingState {
  /**
   * Replica index where the tie-break rotation starts: one past the last pick.
   * @default 0
   */
  next: number;
}

/**
 * Picks the available replica with the fewest outstanding requests; the fallbacks follow by
 * outstanding ascending.
 *
 * Ties are broken by a rotating cursor, so that idle replicas share the load instead of index 0
 * taking every request while the load is light (when nothing is in flight, every replica ties).
 * The candidates are listed in cyclic order from the cursor and then stably sorted by
 * outstanding count, so among equals the first at or after the cursor wins (and equal fallbacks
 * keep that cyclic order); the cursor then moves one past the pick, as in
 * {@link roundRobinPolicy}.
 *
 * The count is only as fresh as the caller's views: a burst of requests planned before any of
 * them is counted as in flight all sees the same counts, which the rotation spreads out.
 *
 * @example
 * ```ts
 * const state = leastOutstandingPolicy.createState(3);
 * const view = (outstanding: number) => ({ weight: 1, available: true, outstanding, latencyMs: 0 });
 * leastOutstandingPolicy.plan([view(4), view(0), view(2)], state, Math.random); // [1, 2, 0]
 * ```
 */
export const leastOutstandingPolicy: BalancingPolicy<LeastOutstandingState> = Object.freeze<
  BalancingPolicy<LeastOutstandingState>
>({
  name: 'least-outstanding',

  createState(replicaCount: number): LeastOutstandingState {
    checkReplicaCount(replicaCount);
    return { next: 0 };
  },

  plan(replicas, state): number[] {
    const rotation = cyclicAvailable(replicas, state.next);
    const order = orderByKey(rotation, (index) => replicas[index]?.outstanding ?? 0);
    const pick = order[0];
    if (pick !== undefined) state.next = (pick + 1) % replicas.length;
    return order;
  },
});

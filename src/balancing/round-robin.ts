/**
 * Round-robin over the available replicas.
 *
 * @module
 */
import type { BalancingPolicy } from './policy.js';
import { checkReplicaCount, cyclicAvailable } from './replica-view.js';

/** Per-shard state of {@link roundRobinPolicy}. */
export interface RoundRobinState {
  /**
   * Replica index to start the next scan at: one past the last pick.
   * @default 0
   */
  next: number;
}

/**
 * Each available replica in turn. The plan starts at the first available replica at or after
 * the cursor and lists the others in cyclic order after it; the cursor then moves one past the
 * pick.
 *
 * Why the cursor follows the pick rather than counting calls: with a call counter modulo the
 * replica count, a down replica's turns all fall through to its successor, which then gets
 * twice the share of the others. Moving the cursor past the pick skips a down replica without
 * giving anyone its turn, so the available replicas keep equal shares whatever is down, and the
 * rotation resumes where it was when a replica comes back.
 *
 * @example
 * ```ts
 * const state = roundRobinPolicy.createState(3);
 * const up = { weight: 1, available: true, outstanding: 0, latencyMs: 0 };
 * roundRobinPolicy.plan([up, up, up], state, Math.random); // [0, 1, 2]
 * roundRobinPolicy.plan([up, up, up], state, Math.random); // [1, 2, 0]
 * ```
 */
export const roundRobinPolicy: BalancingPolicy<RoundRobinState> = Object.freeze<
  BalancingPolicy<RoundRobinState>
>({
  name: 'round-robin',

  createState(replicaCount: number): RoundRobinState {
    checkReplicaCount(replicaCount);
    return { next: 0 };
  },

  plan(replicas, state): number[] {
    const order = cyclicAvailable(replicas, state.next);
    const pick = order[0];
    if (pick !== undefined) state.next = (pick + 1) % replicas.length;
    return order;
  },
});

/**
 * Smooth weighted round-robin, as nginx's upstream module does it.
 *
 * @module
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { BalancingPolicy } from './policy.js';
import { checkReplicaCount, orderByKey } from './replica-view.js';

/** Per-shard state of {@link weightedRoundRobinPolicy}. */
export interface WeightedRoundRobinState {
  /**
   * Each replica's current weight, by replica index.
   * @default all 0
   */
  readonly current: Float64Array;
}

/**
 * nginx's smooth weighted round-robin. On every plan, each available replica `i` gains its
 * weight (`current[i] += weight[i]`), the one with the largest current weight is picked (ties
 * go to the lowest index), and the pick pays back the total weight of the available replicas
 * (`current[pick] -= total`).
 *
 * With integer weights and a fixed set of available replicas this is periodic: every cycle of
 * `sum(weights)` picks gives each replica exactly its weight in picks, and the picks are
 * interleaved rather than bunched, e.g. weights `[5, 1, 1]` give `a a b a c a a` where a plain
 * weighted round-robin would give `a a a a a b c`. With real weights the shares converge to the
 * weights. An unavailable replica neither gains nor pays while it is out, so the current weights
 * keep summing to zero and it rejoins the rotation where it left it.
 *
 * The fallbacks are the other available replicas by current weight (after the pick paid back),
 * largest first, ties to the lowest index: the replicas that the rotation would pick next.
 *
 * @example
 * ```ts
 * const view = (weight: number) => ({ weight, available: true, outstanding: 0, latencyMs: 0 });
 * const replicas = [view(5), view(1), view(1)];
 * const state = weightedRoundRobinPolicy.createState(3);
 * const picks = Array.from({ length: 7 }, () => weightedRoundRobinPolicy.plan(replicas, state, Math.random)[0]);
 * // picks: [0, 0, 1, 0, 2, 0, 0]
 * ```
 */
export const weightedRoundRobinPolicy: BalancingPolicy<WeightedRoundRobinState> = Object.freeze<
  BalancingPolicy<WeightedRoundRobinState>
>({
  name: 'weighted-round-robin',

  createState(replicaCount: number): WeightedRoundRobinState {
    return { current: new Float64Array(checkReplicaCount(replicaCount)) };
  },

  plan(replicas, state): number[] {
    const { current } = state;
    if (current.length !== replicas.length) {
      // The current weights are by index: a state from another replica list would silently
      // skew the shares, so a mismatch is a bug in the caller.
      throw new InvalidArgumentError(
        `weighted-round-robin state was created for ${current.length} replicas, received ${replicas.length}`,
      );
    }
    const available: number[] = [];
    let total = 0;
    let pick = -1;
    let best = -Infinity;
    replicas.forEach((view, index) => {
      if (!view.available) return;
      const value = (current[index] ?? 0) + view.weight;
      current[index] = value;
      total += view.weight;
      available.push(index);
      // Strictly greater: ties keep the lowest index, as nginx does. `pick < 0` admits a first
      // candidate even when its current weight is NaN, so a bad weight never loses a replica.
      if (pick < 0 || value > best) {
        pick = index;
        best = value;
      }
    });
    if (pick < 0) return [];
    current[pick] = best - total;
    const rest = available.filter((index) => index !== pick);
    return [pick, ...orderByKey(rest, (index) => -(current[index] ?? 0))];
  },
});

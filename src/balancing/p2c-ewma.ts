/**
 * Power of two random choices by peak-EWMA cost, the latency-aware policy of Finagle and
 * Linkerd.
 *
 * @module
 */
import type { BalancingPolicy } from './policy.js';
import {
  availableIndexes,
  checkReplicaCount,
  orderByKey,
  randomIndex,
  type ReplicaView,
} from './replica-view.js';

/**
 * The cost of a replica that has no latency sample yet but already has requests in flight, in
 * the same units as `latencyMs * (outstanding + 1)` (plus the outstanding count). Finagle uses
 * `Long.MaxValue >> 16` (about 2^47) for the same purpose; any value far above real costs works.
 */
export const UNKNOWN_LATENCY_PENALTY = 2 ** 47;

/**
 * The load estimate {@link p2cEwmaPolicy} compares, lower is better: the peak-EWMA latency times
 * the requests it would have in flight with one more (`latencyMs * (outstanding + 1)`, Finagle's
 * and Linkerd's peak EWMA load), divided by the weight so that a replica of weight 2 looks half
 * as loaded as an equal one of weight 1.
 *
 * A replica with no latency sample (`latencyMs` 0) costs 0 while it is idle, so a new or
 * recovered replica is tried at once. Once it has requests in flight and still no answer, it
 * costs {@link UNKNOWN_LATENCY_PENALTY} plus its outstanding count, as in Finagle: otherwise its
 * zero cost would draw every request until the first one came back, which is how a slow new
 * replica gets flooded.
 *
 * @example
 * ```ts
 * p2cCost({ weight: 1, available: true, outstanding: 3, latencyMs: 10 }); // 40
 * p2cCost({ weight: 2, available: true, outstanding: 3, latencyMs: 10 }); // 20
 * ```
 */
export function p2cCost(view: ReplicaView): number {
  const load =
    view.latencyMs === 0 && view.outstanding > 0
      ? UNKNOWN_LATENCY_PENALTY + view.outstanding
      : view.latencyMs * (view.outstanding + 1);
  return load / view.weight;
}

/**
 * Power of two choices (P2C) over peak-EWMA cost: draw two distinct available replicas
 * uniformly at random and pick the one with the lower {@link p2cCost} (a tie goes to the first
 * drawn, which is itself random). With one available replica, that one.
 *
 * Comparing two random replicas rather than taking the global minimum is what makes this work
 * with many clients and stale numbers: every client that saw the same "fastest" replica would
 * otherwise send it everything at once (herding), while two random choices already avoid the
 * worst replicas with high probability (the maximum load drops from log n / log log n to
 * log log n in the classic balls-into-bins result). The fallbacks are the other of the two, then
 * the remaining replicas by cost ascending (ties to the lowest index).
 *
 * It keeps no state: `createState` returns `undefined`.
 *
 * @example
 * ```ts
 * const view = (latencyMs: number) => ({ weight: 1, available: true, outstanding: 0, latencyMs });
 * // Replica 1 is never picked: whichever other replica it is paired with is faster.
 * p2cEwmaPolicy.plan([view(5), view(50), view(5)], undefined, Math.random);
 * ```
 */
export const p2cEwmaPolicy: BalancingPolicy<undefined> = Object.freeze<BalancingPolicy<undefined>>({
  name: 'p2c-ewma',

  createState(replicaCount: number): undefined {
    checkReplicaCount(replicaCount);
    return undefined;
  },

  plan(replicas, _state, random): number[] {
    const available = availableIndexes(replicas);
    const n = available.length;
    if (n < 2) return available;
    const cost = (index: number): number => {
      const view = replicas[index];
      return view === undefined ? Infinity : p2cCost(view);
    };
    // Two distinct positions: draw the second from the n - 1 others and skip over the first.
    const x = randomIndex(random, n);
    let y = randomIndex(random, n - 1);
    if (y >= x) y++;
    const a = available[x] ?? -1;
    const b = available[y] ?? -1;
    // Strict `<`: a tie, or a NaN cost from a bad view, keeps the first draw.
    const [pick, other] = cost(b) < cost(a) ? [b, a] : [a, b];
    const rest = available.filter((index) => index !== a && index !== b);
    return [pick, other, ...orderByKey(rest, cost)];
  },
});

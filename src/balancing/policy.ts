/**
 * The balancing policy contract and the registry that maps a policy name to its implementation.
 *
 * A policy is a pure function from the replicas' current state to a query plan: the order in
 * which to try a shard's replicas. It keeps no timers and does no I/O; anything that changes
 * between calls (a round-robin cursor, smooth weighted round-robin's current weights) lives in
 * a per-shard state object that the caller creates once with {@link BalancingPolicy.createState}
 * and passes back on every call, and randomness comes in as an argument. That keeps every policy
 * testable with plain arrays and a seeded generator.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { leastOutstandingPolicy } from './least-outstanding.js';
import { p2cEwmaPolicy } from './p2c-ewma.js';
import type { ReplicaView } from './replica-view.js';
import { roundRobinPolicy } from './round-robin.js';
import { weightedRoundRobinPolicy } from './weighted-round-robin.js';

/**
 * The names of the built-in policies:
 * - `round-robin`: each available replica in turn.
 * - `weighted-round-robin`: nginx's smooth weighted round-robin over the replica weights.
 * - `least-outstanding`: the available replica with the fewest requests in flight.
 * - `p2c-ewma`: power of two random choices by peak-EWMA latency times load, over weight.
 */
export type BalancingName =
  'round-robin' | 'weighted-round-robin' | 'least-outstanding' | 'p2c-ewma';

/** Every {@link BalancingName}, in the order error messages list them. */
export const BALANCING_NAMES: readonly BalancingName[] = Object.freeze([
  'round-robin',
  'weighted-round-robin',
  'least-outstanding',
  'p2c-ewma',
] as const);

/**
 * Orders a shard's replicas for one request.
 *
 * @typeParam S - The per-shard state the policy keeps between calls.
 *
 * @example
 * ```ts
 * const policy = balancingPolicy('p2c-ewma');
 * const state = policy.createState(shard.replicas.length); // once per shard
 * const plan = policy.plan(views, state, Math.random); // per request
 * // plan[0] is the replica to call; plan[1..] are the fallbacks for retries and hedges.
 * ```
 */
export interface BalancingPolicy<S = unknown> {
  /** The policy's name. */
  readonly name: BalancingName;
  /**
   * Fresh per-shard state (e.g. the round-robin cursor, smooth-WRR current weights), owned by
   * the caller. Create one per shard and keep it as long as the shard's replica list.
   *
   * @param replicaCount - How many replicas the shard has.
   * @throws {@link InvalidArgumentError} when `replicaCount` is not an integer >= 0.
   */
  createState(replicaCount: number): S;
  /**
   * Indexes of the replicas to try, in order: the first is the pick, the rest the fallbacks
   * (for retries and hedges). Unavailable replicas are left out entirely; an empty array means
   * none is available. Every available replica appears exactly once. Mutates only `state`.
   *
   * @param replicas - One view per replica of the shard, in the shard's replica order.
   * @param state - This shard's state from {@link BalancingPolicy.createState}.
   * @param random - A generator of numbers in `[0, 1)`, e.g. `Math.random` or a seeded one.
   * @throws {@link InvalidArgumentError} when `state` was created for a different replica count
   * and the policy depends on it (`weighted-round-robin`).
   */
  plan(replicas: readonly ReplicaView[], state: S, random: () => number): number[];
}

const POLICIES: Readonly<Record<BalancingName, BalancingPolicy>> = Object.freeze({
  'round-robin': roundRobinPolicy,
  'weighted-round-robin': weightedRoundRobinPolicy,
  'least-outstanding': leastOutstandingPolicy,
  'p2c-ewma': p2cEwmaPolicy,
});

/**
 * The built-in policy with this name. Policies are stateless, frozen singletons: the state is
 * whatever `createState` returns.
 *
 * @param name - One of {@link BALANCING_NAMES}, as given in the `balancing` option.
 * @throws {@link InvalidOptionError} when `name` is not one of {@link BALANCING_NAMES}.
 *
 * @example
 * ```ts
 * balancingPolicy('least-outstanding').name; // 'least-outstanding'
 * balancingPolicy('random' as BalancingName); // throws InvalidOptionError
 * ```
 */
export function balancingPolicy(name: BalancingName): BalancingPolicy {
  // The type says BalancingName, but the value usually comes from user options at run time.
  const value: unknown = name;
  if (typeof value !== 'string' || !Object.hasOwn(POLICIES, value)) {
    throw new InvalidOptionError(
      `\`balancing\` must be one of ${BALANCING_NAMES.map((n) => `'${n}'`).join(', ')}, received ${describeValue(value)}`,
    );
  }
  return POLICIES[value as BalancingName];
}

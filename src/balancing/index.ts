/**
 * Balancing: replica selection policies as pure functions from the replicas' state to a query
 * plan (the order in which to try a shard's replicas), and the peak-EWMA latency estimator that
 * feeds the latency-aware one.
 *
 * @module
 */
export { leastOutstandingPolicy, type LeastOutstandingState } from './least-outstanding.js';
export { p2cCost, p2cEwmaPolicy, UNKNOWN_LATENCY_PENALTY } from './p2c-ewma.js';
export { DEFAULT_DECAY_MS, PeakEwma, type PeakEwmaOptions } from './peak-ewma.js';
export {
  BALANCING_NAMES,
  balancingPolicy,
  type BalancingName,
  type BalancingPolicy,
} from './policy.js';
export type { ReplicaView } from './replica-view.js';
export { roundRobinPolicy, type RoundRobinState } from './round-robin.js';
export { weightedRoundRobinPolicy, type WeightedRoundRobinState } from './weighted-round-robin.js';

/**
 * Shared helpers for the balancing tests: a seeded generator, replica views and pick counting.
 */
import type { BalancingPolicy } from '../../../src/balancing/policy.js';
import type { ReplicaView } from '../../../src/balancing/replica-view.js';

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A generator that replays `values` in order, then fails the test if asked for more. */
export function scripted(...values: number[]): () => number {
  let i = 0;
  return () => {
    const value = values[i++];
    if (value === undefined) throw new Error('scripted random ran out of values');
    return value;
  };
}

/** An available replica of weight 1, idle, latency unknown, with `overrides` applied. */
export function view(overrides: Partial<ReplicaView> = {}): ReplicaView {
  return { weight: 1, available: true, outstanding: 0, latencyMs: 0, ...overrides };
}

/** `count` idle available replicas of weight 1. */
export function views(count: number): ReplicaView[] {
  return Array.from({ length: count }, () => view());
}

/** Runs `plans` plans on fresh state and counts how often each replica was the pick. */
export function pickCounts<S>(
  policy: BalancingPolicy<S>,
  replicas: readonly ReplicaView[],
  plans: number,
  random: () => number = mulberry32(1),
): number[] {
  const state = policy.createState(replicas.length);
  const counts = new Array<number>(replicas.length).fill(0);
  for (let i = 0; i < plans; i++) {
    const pick = policy.plan(replicas, state, random)[0];
    if (pick !== undefined) counts[pick]!++;
  }
  return counts;
}

/** The first `plans` picks on fresh state. */
export function pickSequence<S>(
  policy: BalancingPolicy<S>,
  replicas: readonly ReplicaView[],
  plans: number,
  random: () => number = mulberry32(1),
): (number | undefined)[] {
  const state = policy.createState(replicas.length);
  return Array.from({ length: plans }, () => policy.plan(replicas, state, random)[0]);
}

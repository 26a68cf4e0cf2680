/**
 * Properties every policy must have, over random views and sequences of plans on one state:
 * the plan lists each available replica exactly once, never an unavailable one, is empty
 * exactly when none is available, and a plan leaves the views untouched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BALANCING_NAMES, balancingPolicy } from '../../../src/balancing/policy.js';
import type { ReplicaView } from '../../../src/balancing/replica-view.js';
import { mulberry32 } from './fixtures.js';

const viewArbitrary: fc.Arbitrary<ReplicaView> = fc.record({
  weight: fc.oneof(
    fc.integer({ min: 1, max: 10 }),
    fc.double({ min: 0.001, max: 1000, noNaN: true, noDefaultInfinity: true }),
  ),
  available: fc.boolean(),
  outstanding: fc.integer({ min: 0, max: 20 }),
  // 0 (unknown) often, so that the unknown-latency rules are exercised.
  latencyMs: fc.oneof(
    fc.constant(0),
    fc.double({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true }),
  ),
});

/** A replica count, then 1..12 successive view lists of that length (availability changes). */
const rounds = fc.integer({ min: 0, max: 8 }).chain((n) =>
  fc.array(fc.array(viewArbitrary, { minLength: n, maxLength: n }), {
    minLength: 1,
    maxLength: 12,
  }),
);

describe.each(BALANCING_NAMES)('%s plans', (name) => {
  const policy = balancingPolicy(name);

  it('list every available replica exactly once, and nothing else', () => {
    fc.assert(
      fc.property(rounds, fc.integer(), (sequence, seed) => {
        const random = mulberry32(seed);
        const state = policy.createState(sequence[0]!.length);
        for (const replicas of sequence) {
          const before = JSON.stringify(replicas);
          const plan = policy.plan(replicas, state, random);
          const available = replicas.flatMap((v, i) => (v.available ? [i] : []));
          expect([...plan].sort((a, b) => a - b)).toEqual(available);
          expect(plan.length === 0).toBe(available.length === 0);
          expect(JSON.stringify(replicas)).toBe(before);
        }
      }),
      { numRuns: 200, seed: 20_251 },
    );
  });

  it('return [] when every replica is unavailable', () => {
    fc.assert(
      fc.property(fc.array(viewArbitrary, { maxLength: 8 }), fc.integer(), (list, seed) => {
        const down = list.map((v) => ({ ...v, available: false }));
        const state = policy.createState(down.length);
        expect(policy.plan(down, state, mulberry32(seed))).toEqual([]);
      }),
      { numRuns: 200, seed: 20_252 },
    );
  });
});

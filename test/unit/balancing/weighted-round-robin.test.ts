import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { weightedRoundRobinPolicy } from '../../../src/balancing/weighted-round-robin.js';
import { pickCounts, pickSequence, view } from './fixtures.js';

const noRandom = (): number => {
  throw new Error('weighted-round-robin must not draw random numbers');
};
const weighted = (...weights: number[]) => weights.map((weight) => view({ weight }));

describe('weighted-round-robin (smooth)', () => {
  it('gives the nginx sequence for [5, 1, 1]: a a b a c a a, cycle after cycle', () => {
    const cycle = [0, 0, 1, 0, 2, 0, 0];
    expect(pickSequence(weightedRoundRobinPolicy, weighted(5, 1, 1), 21)).toEqual([
      ...cycle,
      ...cycle,
      ...cycle,
    ]);
  });

  it('gives the nginx sequence for [3, 2, 1]: a b a c b a', () => {
    const cycle = [0, 1, 0, 2, 1, 0];
    expect(pickSequence(weightedRoundRobinPolicy, weighted(3, 2, 1), 12)).toEqual([
      ...cycle,
      ...cycle,
    ]);
  });

  it('returns the current weights to zero after each cycle', () => {
    const replicas = weighted(5, 1, 1);
    const state = weightedRoundRobinPolicy.createState(3);
    for (let i = 0; i < 7; i++) weightedRoundRobinPolicy.plan(replicas, state, noRandom);
    expect([...state.current]).toEqual([0, 0, 0]);
  });

  it('orders the fallbacks by current weight, largest first, ties to the lowest index', () => {
    const replicas = weighted(5, 1, 1);
    const state = weightedRoundRobinPolicy.createState(3);
    // current after each pick: [-2,1,1] [-4,2,2] [1,-4,3] [-1,-3,4] [4,-2,-2]
    const plans = Array.from({ length: 5 }, () =>
      weightedRoundRobinPolicy.plan(replicas, state, noRandom),
    );
    expect(plans).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [1, 2, 0],
      [0, 2, 1],
      [2, 0, 1],
    ]);
  });

  it('gives exact proportions over every cycle of sum(weights) picks, interleaved', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
        (weights) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const state = weightedRoundRobinPolicy.createState(weights.length);
          const replicas = weighted(...weights);
          for (let cycle = 0; cycle < 3; cycle++) {
            const counts = new Array<number>(weights.length).fill(0);
            for (let k = 1; k <= total; k++) {
              counts[weightedRoundRobinPolicy.plan(replicas, state, noRandom)[0]!]!++;
              // Smoothness, no bunching: after k picks no replica is more than one pick ahead
              // of its share (current[i] = k * w[i] - total * count[i] stays above -total).
              counts.forEach((count, i) => {
                expect(count).toBeLessThan((k * weights[i]!) / total + 1);
              });
            }
            expect(counts).toEqual(weights);
          }
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('converges to the weights when they are not integers', () => {
    const weights = [1.5, 0.25, 1, Math.PI];
    const total = weights.reduce((a, b) => a + b, 0);
    const plans = 20_000;
    const counts = pickCounts(weightedRoundRobinPolicy, weighted(...weights), plans);
    counts.forEach((count, i) => {
      expect(Math.abs(count - (plans * weights[i]!) / total)).toBeLessThanOrEqual(1);
    });
  });

  it('leaves unavailable replicas out and keeps the others in proportion', () => {
    const replicas = [view({ weight: 5 }), view({ weight: 1, available: false }), view()];
    expect(pickCounts(weightedRoundRobinPolicy, replicas, 600)).toEqual([500, 0, 100]);
    const state = weightedRoundRobinPolicy.createState(3);
    expect(weightedRoundRobinPolicy.plan(replicas, state, noRandom)).toEqual([0, 2]);
    expect(state.current[1]).toBe(0);
  });

  it('brings a replica back into proportion after it was down', () => {
    const up = weighted(5, 1, 1);
    const oneDown = [view({ weight: 5 }), view({ available: false }), view()];
    const state = weightedRoundRobinPolicy.createState(3);
    for (let i = 0; i < 10; i++) weightedRoundRobinPolicy.plan(up, state, noRandom);
    for (let i = 0; i < 13; i++) weightedRoundRobinPolicy.plan(oneDown, state, noRandom);
    const counts = [0, 0, 0];
    for (let i = 0; i < 7000; i++)
      counts[weightedRoundRobinPolicy.plan(up, state, noRandom)[0]!]!++;
    expect(Math.abs(counts[0]! - 5000)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts[1]! - 1000)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts[2]! - 1000)).toBeLessThanOrEqual(2);
  });

  it('returns [] when no replica is available and leaves the state alone', () => {
    const state = weightedRoundRobinPolicy.createState(2);
    const down = [view({ weight: 3, available: false }), view({ available: false })];
    expect(weightedRoundRobinPolicy.plan(down, state, noRandom)).toEqual([]);
    expect([...state.current]).toEqual([0, 0]);
  });

  it('rejects a state made for another replica count', () => {
    const state = weightedRoundRobinPolicy.createState(2);
    expect(() => weightedRoundRobinPolicy.plan(weighted(1, 1, 1), state, noRandom)).toThrow(
      InvalidArgumentError,
    );
    expect(() => weightedRoundRobinPolicy.plan(weighted(1, 1, 1), state, noRandom)).toThrow(
      'weighted-round-robin state was created for 2 replicas, received 3',
    );
  });
});

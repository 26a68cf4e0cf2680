import { describe, expect, it } from 'vitest';
import { roundRobinPolicy } from '../../../src/balancing/round-robin.js';
import { pickCounts, view, views } from './fixtures.js';

const noRandom = (): number => {
  throw new Error('round-robin must not draw random numbers');
};

describe('round-robin', () => {
  it('rotates the start and lists the fallbacks in rotation order', () => {
    const state = roundRobinPolicy.createState(3);
    const replicas = views(3);
    const plans = Array.from({ length: 4 }, () => roundRobinPolicy.plan(replicas, state, noRandom));
    expect(plans).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
      [0, 1, 2],
    ]);
  });

  it('spreads picks evenly', () => {
    expect(pickCounts(roundRobinPolicy, views(3), 3000)).toEqual([1000, 1000, 1000]);
    expect(pickCounts(roundRobinPolicy, views(5), 1000)).toEqual([200, 200, 200, 200, 200]);
  });

  it('leaves unavailable replicas out of the plan', () => {
    const state = roundRobinPolicy.createState(3);
    const replicas = [view(), view({ available: false }), view()];
    expect(roundRobinPolicy.plan(replicas, state, noRandom)).toEqual([0, 2]);
    expect(roundRobinPolicy.plan(replicas, state, noRandom)).toEqual([2, 0]);
    expect(roundRobinPolicy.plan(replicas, state, noRandom)).toEqual([0, 2]);
  });

  it('does not give a down replica turn to its successor', () => {
    // With a call counter modulo 4, replica 2 would take replica 1's turns: 2/4 of the picks.
    const replicas = [view(), view({ available: false }), view(), view()];
    expect(pickCounts(roundRobinPolicy, replicas, 3000)).toEqual([1000, 0, 1000, 1000]);
    const twoDown = [view({ available: false }), view(), view({ available: false }), view()];
    expect(pickCounts(roundRobinPolicy, twoDown, 1000)).toEqual([0, 500, 0, 500]);
  });

  it('resumes the rotation when a replica comes back', () => {
    const state = roundRobinPolicy.createState(3);
    const up = views(3);
    const oneDown = [view(), view({ available: false }), view()];
    const picks = [
      roundRobinPolicy.plan(up, state, noRandom)[0],
      roundRobinPolicy.plan(oneDown, state, noRandom)[0],
      roundRobinPolicy.plan(up, state, noRandom)[0],
      roundRobinPolicy.plan(up, state, noRandom)[0],
      roundRobinPolicy.plan(up, state, noRandom)[0],
    ];
    expect(picks).toEqual([0, 2, 0, 1, 2]);
  });

  it('returns [] when no replica is available and keeps the cursor', () => {
    const state = roundRobinPolicy.createState(2);
    roundRobinPolicy.plan(views(2), state, noRandom);
    const down = [view({ available: false }), view({ available: false })];
    expect(roundRobinPolicy.plan(down, state, noRandom)).toEqual([]);
    expect(state.next).toBe(1);
  });

  it('folds a stale cursor into range instead of failing', () => {
    expect(roundRobinPolicy.plan(views(3), { next: 7 }, noRandom)).toEqual([1, 2, 0]);
    expect(roundRobinPolicy.plan(views(3), { next: Number.NaN }, noRandom)).toEqual([0, 1, 2]);
  });
});

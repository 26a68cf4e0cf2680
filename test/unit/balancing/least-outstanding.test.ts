import { describe, expect, it } from 'vitest';
import { leastOutstandingPolicy } from '../../../src/balancing/least-outstanding.js';
import { pickCounts, view, views } from './fixtures.js';

const noRandom = (): number => {
  throw new Error('least-outstanding must not draw random numbers');
};
const loads = (...outstanding: number[]) => outstanding.map((n) => view({ outstanding: n }));

describe('least-outstanding', () => {
  it('picks the idle replica and orders the fallbacks by outstanding', () => {
    const state = leastOutstandingPolicy.createState(4);
    expect(leastOutstandingPolicy.plan(loads(3, 0, 5, 1), state, noRandom)).toEqual([1, 3, 0, 2]);
  });

  it('always picks the least loaded replica', () => {
    expect(pickCounts(leastOutstandingPolicy, loads(2, 7, 1, 4), 100)).toEqual([0, 0, 100, 0]);
  });

  it('spreads ties instead of always taking index 0', () => {
    expect(pickCounts(leastOutstandingPolicy, views(3), 3000)).toEqual([1000, 1000, 1000]);
    expect(pickCounts(leastOutstandingPolicy, loads(0, 0, 7, 0), 3000)).toEqual([
      1000, 1000, 0, 1000,
    ]);
  });

  it('rotates among the tied replicas; equals keep rotation order from the cursor', () => {
    const state = leastOutstandingPolicy.createState(4);
    const replicas = loads(1, 1, 0, 1);
    expect(leastOutstandingPolicy.plan(replicas, state, noRandom)).toEqual([2, 0, 1, 3]);
    const even = loads(1, 1, 1, 1);
    expect(leastOutstandingPolicy.plan(even, state, noRandom)).toEqual([3, 0, 1, 2]);
    expect(leastOutstandingPolicy.plan(even, state, noRandom)).toEqual([0, 1, 2, 3]);
  });

  it('balances a closed loop: picked replicas get busier until the others catch up', () => {
    // Each pick adds one request in flight to that replica, none completes: the counts must
    // stay level, so after 3k picks every replica has exactly k.
    const outstanding = [0, 0, 0];
    const state = leastOutstandingPolicy.createState(3);
    for (let i = 0; i < 300; i++) {
      const pick = leastOutstandingPolicy.plan(loads(...outstanding), state, noRandom)[0]!;
      outstanding[pick]!++;
      expect(Math.max(...outstanding) - Math.min(...outstanding)).toBeLessThanOrEqual(1);
    }
    expect(outstanding).toEqual([100, 100, 100]);
  });

  it('leaves unavailable replicas out, however idle they are', () => {
    const state = leastOutstandingPolicy.createState(3);
    const replicas = [view({ outstanding: 0, available: false }), view({ outstanding: 9 }), view()];
    expect(leastOutstandingPolicy.plan(replicas, state, noRandom)).toEqual([2, 1]);
    expect(
      pickCounts(leastOutstandingPolicy, [view(), view({ available: false }), view()], 1000),
    ).toEqual([500, 0, 500]);
  });

  it('returns [] when no replica is available', () => {
    const state = leastOutstandingPolicy.createState(2);
    const down = [view({ available: false }), view({ available: false })];
    expect(leastOutstandingPolicy.plan(down, state, noRandom)).toEqual([]);
    expect(state.next).toBe(0);
  });
});

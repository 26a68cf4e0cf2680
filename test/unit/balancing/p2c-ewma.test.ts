import { describe, expect, it } from 'vitest';
import {
  p2cCost,
  p2cEwmaPolicy,
  UNKNOWN_LATENCY_PENALTY,
} from '../../../src/balancing/p2c-ewma.js';
import { PeakEwma } from '../../../src/balancing/peak-ewma.js';
import { mulberry32, pickCounts, scripted, view } from './fixtures.js';

const PLANS = 10_000;

describe('p2cCost', () => {
  it('is latency times (outstanding + 1), over weight', () => {
    expect(p2cCost(view({ latencyMs: 10, outstanding: 3 }))).toBe(40);
    expect(p2cCost(view({ latencyMs: 10, outstanding: 3, weight: 2 }))).toBe(20);
    expect(p2cCost(view({ latencyMs: 10 }))).toBe(10);
  });

  it('treats an unknown latency as fast while idle and penalizes it once busy', () => {
    expect(p2cCost(view({ latencyMs: 0 }))).toBe(0);
    expect(p2cCost(view({ latencyMs: 0, outstanding: 2 }))).toBe(UNKNOWN_LATENCY_PENALTY + 2);
    expect(p2cCost(view({ latencyMs: 0, outstanding: 2, weight: 4 }))).toBe(
      (UNKNOWN_LATENCY_PENALTY + 2) / 4,
    );
  });
});

describe('p2c-ewma', () => {
  it('compares two distinct random replicas: the cheaper is the pick, the other the first fallback', () => {
    const replicas = [40, 10, 30, 20].map((latencyMs) => view({ latencyMs }));
    // x = 0, y = 0 -> skips over x -> replica 1: the pair is (0, 1).
    expect(p2cEwmaPolicy.plan(replicas, undefined, scripted(0, 0))).toEqual([1, 0, 3, 2]);
    // x = 3, y = 2: the pair is (3, 2); the rest by cost: 1 (10) then 0 (40).
    expect(p2cEwmaPolicy.plan(replicas, undefined, scripted(0.99, 0.7))).toEqual([3, 2, 1, 0]);
    // A generator that returns 1 is clamped into range (x = 3, y = 2), and the two stay distinct.
    expect(p2cEwmaPolicy.plan(replicas, undefined, scripted(1, 1))).toEqual([3, 2, 1, 0]);
  });

  it('keeps the first draw on a tie', () => {
    const replicas = [view({ latencyMs: 5 }), view({ latencyMs: 5 })];
    expect(p2cEwmaPolicy.plan(replicas, undefined, scripted(0.9, 0))).toEqual([1, 0]);
    expect(p2cEwmaPolicy.plan(replicas, undefined, scripted(0.1, 0))).toEqual([0, 1]);
  });

  it('uses no randomness with one available replica', () => {
    const noRandom = (): number => {
      throw new Error('no draw expected');
    };
    const replicas = [view({ available: false }), view({ latencyMs: 80, outstanding: 9 })];
    expect(p2cEwmaPolicy.plan(replicas, undefined, noRandom)).toEqual([1]);
  });

  it('picks uniformly among equal replicas', () => {
    const counts = pickCounts(
      p2cEwmaPolicy,
      [view(), view(), view(), view()],
      PLANS,
      mulberry32(3),
    );
    // Binomial(10k, 1/4): sd 43; 5 sd is 217.
    for (const count of counts) expect(Math.abs(count - PLANS / 4)).toBeLessThan(217);
  });

  it('steers away from a slow replica', () => {
    const replicas = [5, 50, 5].map((latencyMs) => view({ latencyMs }));
    const counts = pickCounts(p2cEwmaPolicy, replicas, PLANS, mulberry32(4));
    expect(counts[1]! / PLANS).toBeLessThan(0.15);
    expect(Math.abs(counts[0]! - counts[2]!)).toBeLessThan(400);
  });

  it('steers away from an overloaded replica', () => {
    const replicas = [0, 12, 1].map((outstanding) => view({ latencyMs: 10, outstanding }));
    const counts = pickCounts(p2cEwmaPolicy, replicas, PLANS, mulberry32(5));
    expect(counts[1]! / PLANS).toBeLessThan(0.15);
  });

  it('favours heavier replicas: cost is divided by weight', () => {
    // Equal latency and load: the weight-3 replica wins every pair it is drawn into (2/3).
    const replicas = [3, 1, 1].map((weight) => view({ latencyMs: 10, weight }));
    const counts = pickCounts(p2cEwmaPolicy, replicas, PLANS, mulberry32(6));
    expect(Math.abs(counts[0]! / PLANS - 2 / 3)).toBeLessThan(0.03);
  });

  it('tries a replica with no latency sample while it is idle, not once it is busy', () => {
    const fresh = [view({ latencyMs: 10 }), view(), view({ latencyMs: 10 })];
    const counts = pickCounts(p2cEwmaPolicy, fresh, PLANS, mulberry32(7));
    expect(Math.abs(counts[1]! / PLANS - 2 / 3)).toBeLessThan(0.03);
    const waiting = [view({ latencyMs: 10 }), view({ outstanding: 1 }), view({ latencyMs: 10 })];
    expect(pickCounts(p2cEwmaPolicy, waiting, PLANS, mulberry32(8))[1]).toBe(0);
  });

  it('in a simulated closed loop, sends a slow replica a small share', () => {
    // One request per millisecond for 20 s; replicas answer in 5, 50 and 5 ms. Outstanding
    // counts and peak-EWMA latencies come from the simulation itself.
    const service = [5, 50, 5];
    const ewmas = service.map(() => new PeakEwma());
    const inFlight: { replica: number; done: number }[] = [];
    const outstanding = [0, 0, 0];
    const counts = [0, 0, 0];
    const random = mulberry32(9);
    for (let now = 0; now < 20_000; now++) {
      for (let i = inFlight.length - 1; i >= 0; i--) {
        const request = inFlight[i]!;
        if (request.done > now) continue;
        outstanding[request.replica]!--;
        ewmas[request.replica]!.observe(service[request.replica]!, now);
        inFlight.splice(i, 1);
      }
      const replicas = service.map((_, i) =>
        view({ outstanding: outstanding[i]!, latencyMs: ewmas[i]!.value(now) }),
      );
      const pick = p2cEwmaPolicy.plan(replicas, undefined, random)[0]!;
      counts[pick]!++;
      outstanding[pick]!++;
      inFlight.push({ replica: pick, done: now + service[pick]! });
    }
    expect(counts[1]! / 20_000).toBeLessThan(0.15);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it('leaves unavailable replicas out, however fast they look', () => {
    const replicas = [
      view({ latencyMs: 1, available: false }),
      view({ latencyMs: 30 }),
      view({ latencyMs: 20 }),
    ];
    const counts = pickCounts(p2cEwmaPolicy, replicas, 1000, mulberry32(10));
    expect(counts).toEqual([0, 0, 1000]);
    expect(p2cEwmaPolicy.plan(replicas, undefined, mulberry32(11)).sort()).toEqual([1, 2]);
  });

  it('returns [] when no replica is available', () => {
    const down = [view({ available: false }), view({ available: false })];
    expect(p2cEwmaPolicy.plan(down, undefined, mulberry32(12))).toEqual([]);
  });
});

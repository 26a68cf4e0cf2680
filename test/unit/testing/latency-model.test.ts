import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  MAX_DELAY_MS,
  resolveLatency,
  sampleLatency,
  type LatencyModel,
} from '../../../src/testing/latency-model.js';
import { seededRandom } from '../../../src/testing/seeded-random.js';

const mean = (model: LatencyModel, n: number): number => {
  const next = seededRandom(11);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sampleLatency(model, next());
  return sum / n;
};

describe('sampleLatency', () => {
  it('fixed ignores the draw', () => {
    expect(sampleLatency({ kind: 'fixed', ms: 5 }, 0)).toBe(5);
    expect(sampleLatency({ kind: 'fixed', ms: 5 }, 0.999)).toBe(5);
  });

  it('uniform spans its bounds', () => {
    const model: LatencyModel = { kind: 'uniform', minMs: 10, maxMs: 30 };
    expect(sampleLatency(model, 0)).toBe(10);
    expect(sampleLatency(model, 0.5)).toBe(20);
    expect(sampleLatency(model, 0.999999)).toBeCloseTo(30, 3);
    expect(mean(model, 10_000)).toBeCloseTo(20, 0);
  });

  it('exponential has the configured mean', () => {
    const model: LatencyModel = { kind: 'exponential', meanMs: 40 };
    expect(sampleLatency(model, 0)).toBe(0);
    expect(Math.abs(mean(model, 20_000) - 40)).toBeLessThan(1.2);
  });

  it('tail adds the extra delay below the probability only', () => {
    const model: LatencyModel = { kind: 'tail', baseMs: 2, probability: 0.1, extraMs: 100 };
    expect(sampleLatency(model, 0.05)).toBe(102);
    expect(sampleLatency(model, 0.1)).toBe(2);
    expect(sampleLatency(model, 0.9)).toBe(2);
    expect(Math.abs(mean(model, 20_000) - 12)).toBeLessThan(0.5);
  });

  it('never exceeds what setTimeout honours', () => {
    const huge: LatencyModel = { kind: 'exponential', meanMs: MAX_DELAY_MS };
    expect(sampleLatency(huge, 0.999999)).toBe(MAX_DELAY_MS);
  });
});

describe('resolveLatency', () => {
  it('returns a frozen copy of a valid model', () => {
    const input = { kind: 'tail', baseMs: 1, probability: 0.01, extraMs: 50 } as const;
    const model = resolveLatency(input, 'latency');
    expect(model).toEqual(input);
    expect(model).not.toBe(input);
    expect(Object.isFrozen(model)).toBe(true);
  });

  it.each<[unknown, string]>([
    [5, '`latency` must be an object, received number 5'],
    [{ kind: 'gamma' }, "`latency.kind` must be one of 'fixed', 'uniform', 'exponential', 'tail'"],
    [{ kind: 'fixed' }, '`latency.ms` must be a number from 0 to 2147483647, received undefined'],
    [{ kind: 'fixed', ms: -1 }, '`latency.ms` must be a number from 0'],
    [{ kind: 'fixed', ms: Infinity }, '`latency.ms` must be a number from 0'],
    [{ kind: 'fixed', ms: 1, meanMs: 2 }, 'unknown option `latency.meanMs`'],
    [{ kind: 'uniform', minMs: 5, maxMs: 1 }, '`latency.maxMs` must be at least `latency.minMs`'],
    [
      { kind: 'tail', baseMs: 1, probability: 1.5, extraMs: 1 },
      '`latency.probability` must be a number from 0 to 1, received number 1.5',
    ],
  ])('rejects %j', (input, message) => {
    expect(() => resolveLatency(input, 'latency')).toThrow(InvalidOptionError);
    expect(() => resolveLatency(input, 'latency')).toThrow(message);
  });
});

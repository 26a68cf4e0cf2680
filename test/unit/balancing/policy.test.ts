import { describe, expect, it } from 'vitest';
import {
  BALANCING_NAMES,
  balancingPolicy,
  leastOutstandingPolicy,
  p2cEwmaPolicy,
  roundRobinPolicy,
  weightedRoundRobinPolicy,
  type BalancingName,
} from '../../../src/balancing/index.js';
import { InvalidArgumentError, InvalidOptionError } from '../../../src/core/errors.js';

describe('balancingPolicy', () => {
  it('lists the four policies', () => {
    expect(BALANCING_NAMES).toEqual([
      'round-robin',
      'weighted-round-robin',
      'least-outstanding',
      'p2c-ewma',
    ]);
    expect(Object.isFrozen(BALANCING_NAMES)).toBe(true);
  });

  it('returns the policy of each name, frozen', () => {
    expect(balancingPolicy('round-robin')).toBe(roundRobinPolicy);
    expect(balancingPolicy('weighted-round-robin')).toBe(weightedRoundRobinPolicy);
    expect(balancingPolicy('least-outstanding')).toBe(leastOutstandingPolicy);
    expect(balancingPolicy('p2c-ewma')).toBe(p2cEwmaPolicy);
    for (const name of BALANCING_NAMES) {
      const policy = balancingPolicy(name);
      expect(policy.name).toBe(name);
      expect(Object.isFrozen(policy)).toBe(true);
    }
  });

  it('rejects an unknown name, naming the option and what it received', () => {
    const call = () => balancingPolicy('foo' as BalancingName);
    expect(call).toThrow(InvalidOptionError);
    expect(call).toThrow(
      "`balancing` must be one of 'round-robin', 'weighted-round-robin', 'least-outstanding', 'p2c-ewma', received string \"foo\"",
    );
  });

  it.each([
    [42, 'number 42'],
    [undefined, 'undefined'],
    [null, 'null'],
    ['toString', 'string "toString"'],
    ['Round-Robin', 'string "Round-Robin"'],
  ])('rejects %s', (value, received) => {
    expect(() => balancingPolicy(value as BalancingName)).toThrow(`, received ${received}`);
  });

  it.each(BALANCING_NAMES)('%s: createState rejects a bad replica count', (name) => {
    const policy = balancingPolicy(name);
    for (const count of [-1, 1.5, Number.NaN, Infinity]) {
      expect(() => policy.createState(count)).toThrow(InvalidArgumentError);
    }
    expect(() => policy.createState(-1)).toThrow(
      '`replicaCount` must be an integer >= 0, received number -1',
    );
  });

  it.each(BALANCING_NAMES)('%s: an empty shard gives an empty plan', (name) => {
    const policy = balancingPolicy(name);
    expect(policy.plan([], policy.createState(0), Math.random)).toEqual([]);
  });
});

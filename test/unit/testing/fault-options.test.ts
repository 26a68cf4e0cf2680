import { describe, expect, it } from 'vitest';
import { InvalidOptionError, UnavailableError } from '../../../src/core/errors.js';
import {
  DEFAULT_FAULTY_METHODS,
  FAULTY_METHODS,
  resolveFaultOptions,
} from '../../../src/testing/fault-options.js';

describe('resolveFaultOptions', () => {
  it('defaults to no faults on every data method', () => {
    const o = resolveFaultOptions(undefined, 'memory://x');
    expect(o.seed).toBe(1);
    expect(o.latency).toBeUndefined();
    expect(o.errorRate).toBe(0);
    expect(o.hangRate).toBe(0);
    expect([...o.methods].sort()).toEqual([...DEFAULT_FAULTY_METHODS].sort());
    expect(o.methods.has('connect')).toBe(false);
    expect(o.methods.has('health')).toBe(false);
    expect(DEFAULT_FAULTY_METHODS).toHaveLength(FAULTY_METHODS.length - 2);
    const error = o.error('search');
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('memory://x (injected fault)');
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('keeps what it is given', () => {
    const error = (): Error => new Error('mine');
    const o = resolveFaultOptions(
      {
        seed: 9,
        latency: { kind: 'fixed', ms: 3 },
        errorRate: 0.25,
        hangRate: 1,
        error,
        methods: ['health', 'search'],
      },
      'memory://x',
    );
    expect(o).toMatchObject({ seed: 9, latency: { kind: 'fixed', ms: 3 }, errorRate: 0.25 });
    expect(o.hangRate).toBe(1);
    expect(o.error).toBe(error);
    expect([...o.methods]).toEqual(['health', 'search']);
  });

  it.each<[unknown, string]>([
    ['often', '`options` must be an object, received string "often"'],
    [{ errorrate: 0.1 }, 'unknown option `errorrate`; expected one of seed, latency'],
    [{ errorRate: 1.1 }, '`errorRate` must be a number from 0 to 1, received number 1.1'],
    [{ errorRate: Number.NaN }, '`errorRate` must be a number from 0 to 1, received number NaN'],
    [{ hangRate: -0.1 }, '`hangRate` must be a number from 0 to 1'],
    [{ seed: Infinity }, '`seed` must be a finite number, received number Infinity'],
    [{ error: new Error('x') }, '`error` must be a function, received object Error'],
    [{ methods: 'search' }, '`methods` must be an array of method names'],
    [{ methods: ['search', 'close'] }, '`methods[1]` must be one of connect, health'],
    [{ latency: { kind: 'fixed', ms: -5 } }, '`latency.ms` must be a number from 0'],
  ])('rejects %j', (input, message) => {
    expect(() => resolveFaultOptions(input, 'memory://x')).toThrow(InvalidOptionError);
    expect(() => resolveFaultOptions(input, 'memory://x')).toThrow(message);
  });
});

// Per-attempt timeout settings and the timeout they give for a replica's usual latency.
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  attemptTimeoutMs,
  resolveAttemptTimeoutOptions,
} from '../../../src/resilience/attempt-timeout.js';

describe('resolveAttemptTimeoutOptions', () => {
  it('fills in defaults, turns off with false, and keeps maxMs at least minMs', () => {
    expect(resolveAttemptTimeoutOptions(undefined)).toEqual({
      multiplier: 10,
      minMs: 250,
      maxMs: 5000,
    });
    expect(resolveAttemptTimeoutOptions(false)).toBeUndefined();
    expect(resolveAttemptTimeoutOptions({ minMs: 8000 })).toEqual({
      multiplier: 10,
      minMs: 8000,
      maxMs: 8000,
    });
  });

  it.each<[unknown, RegExp]>([
    [{ multiplier: 0.5 }, /attemptTimeout\.multiplier/],
    [{ multiplier: Number.NaN }, /attemptTimeout\.multiplier/],
    [{ minMs: 0 }, /attemptTimeout\.minMs/],
    [{ minMs: 100, maxMs: 50 }, /attemptTimeout\.maxMs/],
    [{ maxMS: 5 }, /attemptTimeout\.maxMS/],
    ['fast', /attemptTimeout/],
  ])('refuses %j', (input, message) => {
    expect(() => resolveAttemptTimeoutOptions(input)).toThrow(InvalidOptionError);
    expect(() => resolveAttemptTimeoutOptions(input)).toThrow(message);
  });
});

describe('attemptTimeoutMs', () => {
  const settings = { multiplier: 10, minMs: 250, maxMs: 5000 };
  it('is the multiple of the usual latency, within the bounds; maxMs while unknown', () => {
    expect(attemptTimeoutMs(settings, 40)).toBe(400);
    expect(attemptTimeoutMs(settings, 1)).toBe(250);
    expect(attemptTimeoutMs(settings, 900)).toBe(5000);
    expect(attemptTimeoutMs(settings, 0)).toBe(5000);
  });
});

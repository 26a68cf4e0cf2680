import { describe, expect, it } from 'vitest';
import {
  CacheBreaker,
  resolveCacheBreakerOptions,
  type CacheBreakerState,
} from '../../../src/cache/cache-breaker.js';
import { InvalidOptionError } from '../../../src/core/errors.js';

function make(): { breaker: CacheBreaker; states: CacheBreakerState[]; clock: { t: number } } {
  const clock = { t: 0 };
  const states: CacheBreakerState[] = [];
  const breaker = new CacheBreaker(
    resolveCacheBreakerOptions({ consecutiveFailures: 2, resetTimeoutMs: 100 }),
    (s) => states.push(s),
    () => clock.t,
  );
  return { breaker, states, clock };
}

describe('CacheBreaker', () => {
  it('opens after consecutive failures, probes once after the timeout, closes on success', () => {
    const { breaker, states, clock } = make();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    breaker.success(); // resets the run
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 99;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 100;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one probe at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the probe fails', () => {
    const { breaker, clock } = make();
    breaker.failure();
    breaker.failure();
    clock.t = 150;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    clock.t = 249;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 250;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('ignores a late success while open', () => {
    const { breaker } = make();
    breaker.failure();
    breaker.failure();
    breaker.success();
    expect(breaker.state).toBe('open');
  });
});

describe('resolveCacheBreakerOptions', () => {
  it('fills defaults and names a bad option', () => {
    expect(resolveCacheBreakerOptions(undefined)).toEqual({
      consecutiveFailures: 3,
      resetTimeoutMs: 5000,
    });
    expect(() => resolveCacheBreakerOptions({ resetTimeoutMs: -1 })).toThrow(InvalidOptionError);
    expect(() => resolveCacheBreakerOptions({ resetTimeoutMs: -1 })).toThrow(
      /`cache\.breaker\.resetTimeoutMs`/,
    );
    expect(() => resolveCacheBreakerOptions({ reset: 1 })).toThrow(/`cache\.breaker\.reset`/);
  });
});

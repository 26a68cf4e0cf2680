import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, UnavailableError } from '../../../src/core/errors.js';
import {
  ReplicaBreaker,
  resolveBreakerOptions,
  type BreakerState,
} from '../../../src/resilience/breaker.js';

const breakers: ReplicaBreaker[] = [];
afterEach(() => {
  for (const b of breakers.splice(0)) b.shutdown();
  vi.useRealTimers();
});

function breaker(options = {}) {
  const states: BreakerState[] = [];
  const b = new ReplicaBreaker(
    'c/s0/r0',
    resolveBreakerOptions({ volumeThreshold: 4, resetTimeoutMs: 1000, ...options }),
    (s) => states.push(s),
  );
  breakers.push(b);
  return { b, states };
}

const fail = () => Promise.reject(new UnavailableError('down'));
const ok = () => Promise.resolve('ok');

describe('ReplicaBreaker', () => {
  it('opens at its error threshold once the volume threshold is reached', async () => {
    const { b, states } = breaker({ errorThresholdPercentage: 50 });
    await b.run(ok);
    await b.run(fail).catch(() => undefined);
    await b.run(ok);
    expect(b.state).toBe('closed'); // 3 requests: under the volume threshold
    await b.run(fail).catch(() => undefined); // 2 of 4 failed = 50%: not above the threshold
    expect(b.state).toBe('closed');
    await b.run(fail).catch(() => undefined); // 3 of 5 = 60%
    expect(b.state).toBe('open');
    expect(states).toEqual(['open']);
    const error = await b.run(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/circuit breaker of replica `c\/s0\/r0` is open/);
    expect(b.admits).toBe(false);
  });

  it('recovers through half-open: one trial, closed on success', async () => {
    vi.useFakeTimers();
    const { b, states } = breaker();
    for (let i = 0; i < 4; i++) await b.run(fail).catch(() => undefined);
    expect(b.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.state).toBe('half-open');
    expect(b.admits).toBe(true);
    await expect(b.run(ok)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('goes back to open when the half-open trial fails', async () => {
    vi.useFakeTimers();
    const { b, states } = breaker();
    for (let i = 0; i < 4; i++) await b.run(fail).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await b.run(fail).catch(() => undefined);
    expect(b.state).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it('opens after consecutive failures even when the window is full of successes', async () => {
    const { b } = breaker({ consecutiveFailures: 3 });
    for (let i = 0; i < 100; i++) await b.run(ok);
    await b.run(fail).catch(() => undefined);
    await b.run(fail).catch(() => undefined);
    await b.run(ok); // a success resets the run
    await b.run(fail).catch(() => undefined);
    await b.run(fail).catch(() => undefined);
    expect(b.state).toBe('closed');
    await b.run(fail).catch(() => undefined);
    expect(b.state).toBe('open');
  });

  it('does not count the caller’s mistakes against the replica', async () => {
    const { b } = breaker();
    for (let i = 0; i < 20; i++) {
      await b
        .run(() => Promise.reject(new InvalidArgumentError('bad input')))
        .catch(() => undefined);
    }
    expect(b.state).toBe('closed');
  });

  it('can be closed by a health probe', async () => {
    const { b } = breaker();
    for (let i = 0; i < 4; i++) await b.run(fail).catch(() => undefined);
    b.close();
    expect(b.state).toBe('closed');
    await expect(b.run(ok)).resolves.toBe('ok');
  });

  it('rejects bad options by name', () => {
    expect(() => resolveBreakerOptions({ errorThresholdPercentage: 0 })).toThrow(
      /errorThresholdPercentage/,
    );
    expect(() => resolveBreakerOptions({ resetTimeout: 5 })).toThrow(
      /unknown option `breaker\.resetTimeout`/,
    );
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  InvalidOptionError,
  TimeoutError,
  UnavailableError,
} from '../../../src/core/errors.js';
import { Deadline } from '../../../src/resilience/deadline.js';
import { RetryPolicy, resolveRetryOptions, type RetryInfo } from '../../../src/resilience/retry.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A deterministic jitter source: always the top of the range. */
const top = () => 0.999;

describe('resolveRetryOptions', () => {
  it('fills defaults and rejects bad values by name', () => {
    expect(resolveRetryOptions(undefined)).toEqual({
      retries: 2,
      minDelayMs: 10,
      maxDelayMs: 1000,
      budgetPercent: 20,
      minRetriesPerSecond: 5,
    });
    expect(() => resolveRetryOptions({ budgetPercent: -1 })).toThrow(/retry\.budgetPercent.*-1/);
    expect(() => resolveRetryOptions({ retries: 1.5 })).toThrow(InvalidOptionError);
    expect(() => resolveRetryOptions({ maxDelayMs: 5 })).toThrow(/retry\.maxDelayMs/);
    expect(() => resolveRetryOptions({ retry: 1 })).toThrow(/unknown option `retry\.retry`/);
  });
});

describe('RetryPolicy', () => {
  it('returns the first success without retrying', async () => {
    const policy = new RetryPolicy(resolveRetryOptions({}), top);
    const deadline = new Deadline(1000, 'op');
    const attempt = vi.fn((n: number) => Promise.resolve(n));
    await expect(policy.run(attempt, { deadline })).resolves.toBe(1);
    expect(attempt).toHaveBeenCalledTimes(1);
    deadline.dispose();
  });

  it('retries retryable errors with full-jitter backoff, up to `retries`', async () => {
    vi.useFakeTimers();
    const policy = new RetryPolicy(
      resolveRetryOptions({ retries: 3, minDelayMs: 100, maxDelayMs: 250 }),
      top,
    );
    const deadline = new Deadline(10_000, 'op');
    const retries: RetryInfo[] = [];
    const attempt = vi.fn((n: number) =>
      n < 4 ? Promise.reject(new UnavailableError(`down ${n}`)) : Promise.resolve('ok'),
    );
    const pending = policy.run(attempt, { deadline, onRetry: (info) => retries.push(info) });
    await vi.runAllTimersAsync();
    await expect(pending).resolves.toBe('ok');
    // Ceilings 100, 200, then capped at 250; `top` draws just under each.
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [2, 99],
      [3, 199],
      [4, 249],
    ]);
    deadline.dispose();
  });

  it('does not retry what cannot succeed', async () => {
    const policy = new RetryPolicy(resolveRetryOptions({}), top);
    const deadline = new Deadline(1000, 'op');
    const attempt = vi.fn(() => Promise.reject(new InvalidArgumentError('bad')));
    await expect(policy.run(attempt, { deadline })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(attempt).toHaveBeenCalledTimes(1);
    deadline.dispose();
  });

  it('skips the backoff when the next attempt goes to a fresh replica', async () => {
    const policy = new RetryPolicy(
      resolveRetryOptions({ retries: 1, minDelayMs: 1000, maxDelayMs: 1000 }),
      top,
    );
    const deadline = new Deadline(50, 'op');
    const delays: number[] = [];
    const attempt = (n: number) =>
      n === 1 ? Promise.reject(new UnavailableError('down')) : Promise.resolve(n);
    await expect(
      policy.run(attempt, {
        deadline,
        backoffBefore: () => false,
        onRetry: (i) => delays.push(i.delayMs),
      }),
    ).resolves.toBe(2);
    expect(delays).toEqual([0]);
    deadline.dispose();
  });

  it('never sleeps past the deadline, and ends with the deadline error', async () => {
    vi.useFakeTimers();
    const policy = new RetryPolicy(
      resolveRetryOptions({ retries: 10, minDelayMs: 400, maxDelayMs: 400 }),
      top,
    );
    const deadline = new Deadline(1000, 'search');
    const attempt = vi.fn(() => Promise.reject(new UnavailableError('down')));
    const pending = policy.run(attempt, { deadline }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    // 0, ~400, ~800 ms: the fourth attempt would start after the deadline.
    expect(attempt.mock.calls.length).toBeLessThanOrEqual(3);
    deadline.dispose();
  });

  it('stops retrying when the budget is spent, and says so', async () => {
    const policy = new RetryPolicy(
      resolveRetryOptions({
        retries: 5,
        minDelayMs: 0,
        maxDelayMs: 0,
        budgetPercent: 0,
        minRetriesPerSecond: 0,
      }),
      top,
    );
    const deadline = new Deadline(1000, 'op');
    let exhausted = 0;
    const attempt = vi.fn(() => Promise.reject(new UnavailableError('down')));
    await expect(
      policy.run(attempt, { deadline, onBudgetExhausted: () => exhausted++ }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(exhausted).toBe(1);
    deadline.dispose();
  });

  it('shares the budget across calls: a sick dependency gets few retries', async () => {
    const policy = new RetryPolicy(
      resolveRetryOptions({
        retries: 3,
        minDelayMs: 0,
        maxDelayMs: 0,
        budgetPercent: 10,
        minRetriesPerSecond: 0,
      }),
      top,
      () => 0,
    );
    let attempts = 0;
    for (let i = 0; i < 100; i++) {
      const deadline = new Deadline(1000, 'op');
      await policy
        .run(
          () => {
            attempts++;
            return Promise.reject(new UnavailableError('down'));
          },
          { deadline },
        )
        .catch(() => undefined);
      deadline.dispose();
    }
    // 100 first attempts, plus at most 10% of them as retries.
    expect(attempts).toBeLessThanOrEqual(110);
    expect(attempts).toBeGreaterThan(100);
  });
});

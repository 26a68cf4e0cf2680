import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../src/resilience/retry-budget.js';

describe('RetryBudget', () => {
  it('allows the floor with no traffic, then refuses', () => {
    const budget = new RetryBudget({ percent: 20, minPerSecond: 1, windowMs: 10_000 });
    let allowed = 0;
    for (let i = 0; i < 50; i++) if (budget.tryRetry(0)) allowed++;
    expect(allowed).toBe(10); // 1 per second over a 10 s window
  });

  it('allows percent of the requests in the window on top of the floor', () => {
    const budget = new RetryBudget({ percent: 20, minPerSecond: 0, windowMs: 10_000 });
    for (let i = 0; i < 100; i++) budget.recordRequest(i);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry(100)) allowed++;
    expect(allowed).toBe(20);
  });

  it('forgets requests and retries that left the window', () => {
    const budget = new RetryBudget({ percent: 10, minPerSecond: 0, windowMs: 1000 });
    for (let i = 0; i < 100; i++) budget.recordRequest(0);
    for (let i = 0; i < 10; i++) expect(budget.tryRetry(0)).toBe(true);
    expect(budget.tryRetry(0)).toBe(false);
    // A full window later, the old requests no longer pay for retries.
    expect(budget.tryRetry(1500)).toBe(false);
    for (let i = 0; i < 10; i++) budget.recordRequest(1500);
    expect(budget.tryRetry(1500)).toBe(true);
    expect(budget.tryRetry(1500)).toBe(false);
  });

  it('refuses every retry with a zero budget', () => {
    const budget = new RetryBudget({ percent: 0, minPerSecond: 0, windowMs: 1000 });
    budget.recordRequest(0);
    expect(budget.tryRetry(0)).toBe(false);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../../src/core/errors.js';
import { LatencyWindow, hedged, resolveHedgingOptions } from '../../../src/resilience/hedging.js';

afterEach(() => {
  vi.useRealTimers();
});

/** An attempt that answers after `ms` (or fails), and records whether it was aborted. */
function attempt(ms: number, value: string, fails = false) {
  const seen = { aborted: false, started: false };
  const run = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      seen.started = true;
      const timer = setTimeout(() => {
        if (fails) reject(new UnavailableError(value));
        else resolve(value);
      }, ms);
      signal.addEventListener('abort', () => {
        seen.aborted = true;
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    });
  return { run, seen };
}

describe('hedged', () => {
  it('returns the fast replica’s answer and aborts the slow one', async () => {
    vi.useFakeTimers();
    const slow = attempt(100, 'slow');
    const fast = attempt(5, 'fast');
    let hedges = 0;
    const pending = hedged(slow.run, fast.run, 20, new AbortController().signal, () => hedges++);
    await vi.advanceTimersByTimeAsync(25);
    await expect(pending).resolves.toBe('fast');
    expect(hedges).toBe(1);
    expect(slow.seen.aborted).toBe(true);
  });

  it('sends no hedge when the first answer comes in time', async () => {
    vi.useFakeTimers();
    const first = attempt(10, 'first');
    const backup = attempt(1, 'backup');
    const pending = hedged(
      first.run,
      backup.run,
      20,
      new AbortController().signal,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(30);
    await expect(pending).resolves.toBe('first');
    expect(backup.seen.started).toBe(false);
  });

  it('hands an early failure straight back (the retry loop moves on)', async () => {
    vi.useFakeTimers();
    const first = attempt(5, 'first failed', true);
    const backup = attempt(1, 'backup');
    const pending = hedged(
      first.run,
      backup.run,
      20,
      new AbortController().signal,
      () => undefined,
    ).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(await pending).toBeInstanceOf(UnavailableError);
    expect(backup.seen.started).toBe(false);
  });

  it('waits for the other attempt when one fails after the hedge', async () => {
    vi.useFakeTimers();
    const first = attempt(30, 'first failed', true);
    const backup = attempt(40, 'backup');
    const pending = hedged(
      first.run,
      backup.run,
      10,
      new AbortController().signal,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(60);
    await expect(pending).resolves.toBe('backup');
  });

  it('aborts both attempts when the operation is aborted', async () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const a = attempt(100, 'a');
    const b = attempt(100, 'b');
    const pending = hedged(a.run, b.run, 10, parent.signal, () => undefined).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(20);
    parent.abort(new Error('deadline'));
    await pending;
    expect(a.seen.aborted && b.seen.aborted).toBe(true);
  });
});

describe('LatencyWindow', () => {
  it('knows no percentile before 32 samples, then tracks it', () => {
    const window = new LatencyWindow(90);
    for (let i = 1; i <= 31; i++) window.record(i);
    expect(window.value()).toBeUndefined();
    window.record(32);
    expect(window.value()).toBe(29); // nearest rank of 90% of 32 samples
    for (let i = 0; i < 512; i++) window.record(i % 100);
    expect(window.value()).toBeGreaterThanOrEqual(88);
    expect(window.value()).toBeLessThanOrEqual(91);
  });
});

describe('resolveHedgingOptions', () => {
  it('hedges after the 95th percentile by default, is off with `false`, and validates the rest', () => {
    expect(resolveHedgingOptions(undefined)).toEqual({
      afterMs: 50,
      percentile: 95,
      minAfterMs: 1,
    });
    expect(resolveHedgingOptions(false)).toBeUndefined();
    expect(resolveHedgingOptions({ afterMs: 20 })).toEqual({
      afterMs: 20,
      percentile: undefined,
      minAfterMs: 1,
    });
    expect(() => resolveHedgingOptions({})).toThrow(/afterMs.*percentile/);
    expect(() => resolveHedgingOptions({ percentile: 100 })).toThrow(/hedging\.percentile/);
    expect(() => resolveHedgingOptions({ afterMs: -5 })).toThrow(/hedging\.afterMs/);
  });
});

import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, TimeoutError } from '../../../src/core/errors.js';
import type { LatencyModel } from '../../../src/testing/latency-model.js';
import { seededRandom } from '../../../src/testing/seeded-random.js';
import { elapsed, isSettled, subject } from './fixtures.js';

const TAIL: LatencyModel = { kind: 'tail', baseMs: 1, probability: 0.1, extraMs: 100 };

/** Which of `n` calls were slow under TAIL, measured on the fake clock. */
async function slowCalls(seed: number, n: number, errorRate = 0): Promise<number[]> {
  const { faulty } = await subject({ seed, latency: TAIL, errorRate });
  const { ms, failed } = await elapsed(
    Array.from({ length: n }, () => () => faulty.count('c')),
    200,
  );
  expect(ms.every((t) => t === 1 || t === 101)).toBe(true);
  expect(failed.filter(Boolean).length).toBe(faulty.stats.injectedErrors);
  return ms.flatMap((t, i) => (t === 101 ? [i] : []));
}

describe('FaultyBackend latency', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fixed adds exactly its delay, on timers', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 10 } });
    const call = faulty.count('c');
    await vi.advanceTimersByTimeAsync(9);
    expect(await isSettled(call)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe(2);
    expect(faulty.stats.injectedLatencyMs).toBe(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tail slows about `probability` of calls, the same ones for the same seed', async () => {
    const slow = await slowCalls(5, 1000);
    expect(Math.abs(slow.length - 100)).toBeLessThan(30);
    expect(await slowCalls(5, 1000)).toEqual(slow);
    expect(await slowCalls(6, 200)).not.toEqual(slow.filter((i) => i < 200));
    // Exactly what the documented stream says: three draws per call, the first for latency.
    const next = seededRandom(5);
    const expected: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (next() < TAIL.probability) expected.push(i);
      next();
      next();
    }
    expect(slow).toEqual(expected);
  });

  it('an error rate does not move which calls are slow', async () => {
    expect(await slowCalls(8, 300, 0.5)).toEqual(await slowCalls(8, 300, 0));
  });

  it('uniform and exponential stay within their models', async () => {
    const { faulty } = await subject({ latency: { kind: 'uniform', minMs: 5, maxMs: 15 } });
    const { ms: times } = await elapsed(
      Array.from({ length: 200 }, () => () => faulty.count('c')),
      20,
    );
    expect(Math.min(...times)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...times)).toBeLessThanOrEqual(15);
    const exp = (await subject({ latency: { kind: 'exponential', meanMs: 20 } })).faulty;
    const { ms } = await elapsed(
      Array.from({ length: 500 }, () => () => exp.count('c')),
      1000,
    );
    expect(ms.every((t) => t >= 0)).toBe(true);
    // The mean of 500 draws is within 3 standard errors (20 / sqrt(500) ~ 0.9 ms).
    expect(Math.abs(exp.stats.injectedLatencyMs / 500 - 20)).toBeLessThan(2.7);
  });

  it('an abort cuts a delay short and leaves no timer or listener behind', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 1000 } });
    const controller = new AbortController();
    const call = faulty.upsert('c', [{ id: 'z', vector: [1, 1] }], { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(10);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('user left');
    const error: unknown = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe('user left');
    expect((error as AbortedError).meta).toMatchObject({ operation: 'upsert', collection: 'c' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await faulty.inner.count('c')).toBe(2); // the write never reached the backend
  });

  it('a delay that ends removes its abort listener', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 5 } });
    const controller = new AbortController();
    const call = faulty.count('c', undefined, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(5);
    await expect(call).resolves.toBe(2);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a deadline abort during a delay rejects with the deadline error', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 1000 } });
    const controller = new AbortController();
    const call = faulty.search(
      'c',
      { vectors: [Float32Array.of(1, 0)], topK: 1, includePayload: false, includeVector: false },
      { signal: controller.signal },
    );
    const deadline = new TimeoutError('`search` did not finish within 50 ms');
    setTimeout(() => {
      controller.abort(deadline);
    }, 50);
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = (await outcome) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(deadline.message);
    expect(error.meta.backend).toBe('memory://faulty-unit');
  });

  it('health reports the injected latency when it is opted in', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 7 }, methods: ['health'] });
    const probe = faulty.health();
    await vi.advanceTimersByTimeAsync(7);
    expect(await probe).toEqual({ ok: true, latencyMs: 7 });
  });
});

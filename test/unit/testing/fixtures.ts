/**
 * Shared set-up of the FaultyBackend tests: a connected memory backend with one small
 * collection, wrapped.
 */
import { vi } from 'vitest';
import { memoryBackend, type MemoryBackend } from '../../../src/backends/memory/index.js';
import type { FaultOptions } from '../../../src/testing/fault-options.js';
import { FaultyBackend } from '../../../src/testing/faulty-backend.js';

/** A wrapped backend and what it wraps. */
export interface Subject {
  readonly inner: MemoryBackend;
  readonly faulty: FaultyBackend;
}

/** A connected memory backend holding collection `c` (dimension 2, two points), wrapped. */
export async function subject(options?: FaultOptions): Promise<Subject> {
  const inner = memoryBackend({ name: 'faulty-unit' });
  await inner.connect();
  await inner.createCollection('c', { dimension: 2, metric: 'l2' });
  await inner.upsert('c', [
    { id: 'a', vector: [1, 0] },
    { id: 'b', vector: [0, 1] },
  ]);
  return { inner, faulty: new FaultyBackend(inner, options) };
}

/** How each call ended: `ok`, or the error's name. Calls run one after another. */
export async function outcomes(calls: number, call: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < calls; i++) {
    out.push(
      await call().then(
        () => 'ok',
        (error: unknown) => (error as Error).name,
      ),
    );
  }
  return out;
}

/** Indexes of the entries equal to `value`. */
export const indexesOf = <T>(list: readonly T[], value: T): number[] =>
  list.flatMap((v, i) => (v === value ? [i] : []));

/** When each call of {@link elapsed} settled, and how. */
export interface Timings {
  /** Milliseconds on the fake clock until the call settled; `NaN` while it is still running. */
  readonly ms: number[];
  /** Whether the call rejected. */
  readonly failed: boolean[];
}

/**
 * Starts every call at once and answers how long each took on the fake clock. Needs
 * `vi.useFakeTimers()`.
 */
export async function elapsed(
  calls: readonly (() => Promise<unknown>)[],
  horizonMs: number,
): Promise<Timings> {
  const start = Date.now();
  const ms = calls.map(() => Number.NaN);
  const failed = calls.map(() => false);
  calls.forEach((call, i) => {
    call().then(
      () => {
        ms[i] = Date.now() - start;
      },
      () => {
        ms[i] = Date.now() - start;
        failed[i] = true;
      },
    );
  });
  await vi.advanceTimersByTimeAsync(horizonMs);
  return { ms, failed };
}

/** Whether a promise has settled, after letting pending callbacks run. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return settled;
}

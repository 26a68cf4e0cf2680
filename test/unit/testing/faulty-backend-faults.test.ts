import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VectorBackend } from '../../../src/backends/backend.js';
import {
  AbortedError,
  ClosedError,
  InvalidOptionError,
  TimeoutError,
  UnavailableError,
} from '../../../src/core/errors.js';
import { classify } from '../../../src/resilience/classify.js';
import { FaultyBackend, faultyBackend } from '../../../src/testing/index.js';
import { indexesOf, isSettled, outcomes, subject } from './fixtures.js';

describe('FaultyBackend errors', () => {
  it('is transparent without faults: identity, answers, errors', async () => {
    const { inner, faulty } = await subject();
    expect(faulty.kind).toBe(inner.kind);
    expect(faulty.endpoint).toBe(inner.endpoint);
    expect(faulty.capabilities).toBe(inner.capabilities);
    expect(await faulty.count('c')).toBe(2);
    await expect(faulty.count('nope')).rejects.toThrow('collection `nope` does not exist');
    expect(faulty).toBeInstanceOf(FaultyBackend);
    expect(faultyBackend(inner).endpoint).toBe(inner.endpoint);
  });

  it('fails about `errorRate` of calls, on the same calls for the same seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const { faulty } = await subject({ seed, errorRate: 0.2 });
      const out = await outcomes(1000, () => faulty.count('c'));
      expect(faulty.stats.injectedErrors).toBe(indexesOf(out, 'UnavailableError').length);
      return out;
    };
    const first = await run(3);
    const failed = indexesOf(first, 'UnavailableError');
    expect(first.filter((o) => o !== 'ok' && o !== 'UnavailableError')).toEqual([]);
    expect(Math.abs(failed.length - 200)).toBeLessThan(40);
    expect(indexesOf(await run(3), 'UnavailableError')).toEqual(failed);
    expect(indexesOf(await run(4), 'UnavailableError')).not.toEqual(failed);
  });

  it('an injected error never reaches the backend and carries the call meta', async () => {
    const { faulty } = await subject({ errorRate: 1 });
    const error = (await faulty
      .upsert('c', [{ id: 'z', vector: [1, 1] }])
      .catch((e: unknown) => e)) as UnavailableError;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('memory://faulty-unit (injected fault)');
    expect(error.meta).toEqual({
      backend: 'memory://faulty-unit',
      operation: 'upsert',
      collection: 'c',
    });
    expect(await faulty.inner.count('c')).toBe(2);
  });

  it('throws foreign errors from `error()` as they are', async () => {
    const reset = (): Error =>
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 });
    const { faulty } = await subject({ errorRate: 1, error: reset });
    const error: unknown = await faulty.count('c').catch((e: unknown) => e);
    expect((error as Error).message).toBe('read ECONNRESET');
    expect(classify(error)).toMatchObject({ kind: 'unavailable', retryable: true });
    const throwing = (
      await subject({
        errorRate: 1,
        error: () => {
          throw new RangeError('factory broke');
        },
      })
    ).faulty;
    await expect(throwing.count('c')).rejects.toThrow('factory broke');
  });

  it('applies faults to the listed methods only, without drawing for the others', async () => {
    const { faulty } = await subject({ errorRate: 1, methods: ['search'] });
    expect(await faulty.count('c')).toBe(2);
    expect(await faulty.listCollections()).toEqual(['c']);
    await expect(
      faulty.search('c', {
        vectors: [Float32Array.of(1, 0)],
        topK: 1,
        includePayload: false,
        includeVector: false,
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
    // Interleaved unlisted calls do not move the stream.
    const plain = (await subject({ seed: 2, errorRate: 0.5, methods: ['get'] })).faulty;
    const mixed = (await subject({ seed: 2, errorRate: 0.5, methods: ['get'] })).faulty;
    const a = await outcomes(50, () => plain.get('c', ['a']));
    const b = await outcomes(50, async () => {
      await mixed.count('c');
      return mixed.get('c', ['a']);
    });
    expect(b).toEqual(a);
  });

  it('leaves connect and health alone by default, and faults them when listed', async () => {
    const { faulty } = await subject({ errorRate: 1 });
    await expect(faulty.connect()).resolves.toBeUndefined();
    expect(await faulty.health()).toEqual({ ok: true, latencyMs: 0 });
    const listed = (await subject({ errorRate: 1, methods: ['connect', 'health'] })).faulty;
    await expect(listed.connect()).rejects.toBeInstanceOf(UnavailableError);
    expect(await listed.health()).toEqual({
      ok: false,
      latencyMs: 0,
      detail: 'memory://faulty-unit (injected fault)',
    });
  });

  it('rejects an already aborted call without drawing', async () => {
    const { faulty } = await subject({ seed: 9, errorRate: 0.5 });
    const reference = (await subject({ seed: 9, errorRate: 0.5 })).faulty;
    await expect(
      faulty.count('c', undefined, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(await outcomes(30, () => faulty.count('c'))).toEqual(
      await outcomes(30, () => reference.count('c')),
    );
  });
});

describe('FaultyBackend partitions', () => {
  it('fails every call fast, reports unhealthy, and heals', async () => {
    const { faulty } = await subject({ latency: { kind: 'fixed', ms: 60_000 }, methods: [] });
    faulty.partition();
    expect(faulty.isPartitioned).toBe(true);
    await expect(faulty.connect()).rejects.toBeInstanceOf(UnavailableError);
    const error = (await faulty.count('c').catch((e: unknown) => e)) as UnavailableError;
    expect(error.message).toBe('memory://faulty-unit is unreachable (injected partition)');
    expect(error.meta.operation).toBe('count');
    expect(await faulty.health()).toEqual({
      ok: false,
      latencyMs: 0,
      detail: 'memory://faulty-unit is unreachable (injected partition)',
    });
    expect(faulty.stats.partitionRejections).toBe(3);
    faulty.heal();
    expect(faulty.isPartitioned).toBe(false);
    expect(await faulty.count('c')).toBe(2);
    expect((await faulty.health()).ok).toBe(true);
  });

  it('does not draw while partitioned', async () => {
    const a = (await subject({ seed: 4, errorRate: 0.5 })).faulty;
    const b = (await subject({ seed: 4, errorRate: 0.5 })).faulty;
    const before = await outcomes(10, () => a.count('c'));
    a.partition();
    await outcomes(10, () => a.count('c'));
    a.heal();
    const after = await outcomes(20, () => a.count('c'));
    expect([...before, ...after]).toEqual(await outcomes(30, () => b.count('c')));
  });
});

describe('FaultyBackend hangs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hangs until the signal aborts, then rejects like an adapter', async () => {
    const { faulty } = await subject({ hangRate: 1 });
    const controller = new AbortController();
    const call = faulty.count('c', undefined, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(await isSettled(call)).toBe(false);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new DOMException('deadline passed', 'TimeoutError'));
    const error = (await call.catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('`count` on memory://faulty-unit timed out');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(faulty.stats.hangs).toBe(1);
  });

  it('rejects with a vecmesh reason as it is, or AbortedError for anything else', async () => {
    const { faulty } = await subject({ hangRate: 1 });
    const byDeadline = new AbortController();
    const first = faulty.get('c', ['a'], {}, { signal: byDeadline.signal });
    const reason = new TimeoutError('`get` did not finish within 20 ms');
    byDeadline.abort(reason);
    await expect(first).rejects.toThrow(reason.message);
    const byCaller = new AbortController();
    const second = faulty.get('c', ['a'], {}, { signal: byCaller.signal });
    byCaller.abort();
    await expect(second).rejects.toBeInstanceOf(AbortedError);
  });

  it('close() releases hanging calls with ClosedError', async () => {
    const { faulty } = await subject({ hangRate: 1 });
    const call = faulty.count('c');
    const delayed = (await subject({ latency: { kind: 'fixed', ms: 500 } })).faulty;
    const waiting = delayed.count('c');
    await faulty.close();
    await delayed.close();
    await expect(call).rejects.toBeInstanceOf(ClosedError);
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hang is decided before error, and both come from their own draws', async () => {
    const { faulty } = await subject({ seed: 12, hangRate: 0.3, errorRate: 0.3 });
    const controller = new AbortController();
    setMaxListeners(200, controller.signal); // one listener per hanging call
    const calls = Array.from({ length: 200 }, () =>
      faulty.count('c', undefined, { signal: controller.signal }).then(
        () => 'ok',
        (e: unknown) => (e as Error).name,
      ),
    );
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    const out = await Promise.all(calls);
    expect(indexesOf(out, 'AbortedError')).toHaveLength(faulty.stats.hangs);
    expect(indexesOf(out, 'UnavailableError')).toHaveLength(faulty.stats.injectedErrors);
    expect(Math.abs(faulty.stats.hangs - 60)).toBeLessThan(25);
    expect(Math.abs(faulty.stats.injectedErrors - 42)).toBeLessThan(22); // 0.7 * 0.3 * 200
  });
});

describe('FaultyBackend setFaults and stats', () => {
  it('changes faults at run time and keeps the random stream', async () => {
    const a = (await subject({ seed: 21 })).faulty;
    const b = (await subject({ seed: 21, errorRate: 0.5 })).faulty;
    await outcomes(10, () => a.count('c'));
    await outcomes(10, () => b.count('c'));
    a.setFaults({ errorRate: 0.5 });
    expect(await outcomes(100, () => a.count('c'))).toEqual(
      await outcomes(100, () => b.count('c')),
    );
    a.setFaults({ errorRate: undefined });
    expect(a.options.errorRate).toBe(0);
    expect(a.options.seed).toBe(21);
  });

  it('refuses a new seed or an invalid patch and keeps the faults in force', async () => {
    const { faulty } = await subject({ errorRate: 0.1 });
    expect(() => {
      faulty.setFaults({ seed: 2 } as never);
    }).toThrow('`seed` cannot change');
    expect(() => {
      faulty.setFaults({ errorRate: 3 });
    }).toThrow(InvalidOptionError);
    expect(faulty.options.errorRate).toBe(0.1);
  });

  it('counts calls per method, and resets', async () => {
    const { faulty } = await subject({ errorRate: 1, methods: ['count'] });
    await faulty.count('c').catch(() => undefined);
    await faulty.get('c', ['a']);
    await faulty.get('c', ['b']);
    expect(faulty.stats).toEqual({
      calls: 3,
      injectedErrors: 1,
      hangs: 0,
      partitionRejections: 0,
      injectedLatencyMs: 0,
      byMethod: { count: 1, get: 2 },
    });
    expect(Object.isFrozen(faulty.stats)).toBe(true);
    faulty.resetStats();
    expect(faulty.stats.calls).toBe(0);
    expect(faulty.stats.byMethod).toEqual({});
  });

  it('rejects something that is not a backend', () => {
    expect(() => new FaultyBackend({} as VectorBackend)).toThrow(
      '`inner` must be a VectorBackend, received object Object',
    );
  });
});

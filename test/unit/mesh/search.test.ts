import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  BackendError,
  InvalidArgumentError,
  InvalidFilterError,
  InvalidVectorError,
  ShardUnavailableError,
  TimeoutError,
  UnavailableError,
  type Mesh,
} from '../../../src/index.js';
import { meshOf } from '../../helpers/mesh-fixture.js';

const open: Mesh[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function filled(shards: number, replicas: number, options = {}) {
  const fx = await meshOf({ shards, replicas }, options);
  open.push(fx.mesh);
  const docs = await fx.mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
  await docs.upsert(
    Array.from({ length: 50 }, (_, i) => ({
      id: i,
      vector: [i, 0],
      payload: { tenant: `t${i % 5}`, n: i },
    })),
  );
  return { ...fx, docs };
}

describe('scatter-gather search', () => {
  it('merges every shard into one global top-k, with offset', async () => {
    const { docs } = await filled(4, 1);
    const { hits, coverage } = await docs.search({
      vectors: [
        [10.2, 0],
        [0, 0],
      ],
      topK: 3,
    });
    expect(hits.map((l) => l.map((h) => h.id))).toEqual([
      [10, 11, 9],
      [0, 1, 2],
    ]);
    expect(hits[0]![0]!.score).toBeCloseTo(0.04, 5);
    expect(coverage).toMatchObject({
      shardsQueried: ['s0', 's1', 's2', 's3'],
      shardsPruned: 0,
      complete: true,
    });
    const page2 = await docs.search({
      vectors: [[0, 0]],
      topK: 3,
      offset: 3,
      includePayload: false,
    });
    expect(page2.hits[0]!.map((h) => h.id)).toEqual([3, 4, 5]);
    expect(page2.hits[0]![0]!.payload).toBeUndefined();
  });

  it('asks only the shard that a filter on the payload shard key names', async () => {
    const { docs, backends } = await filled(4, 1, {
      sharding: { strategy: 'hash', key: { field: 'tenant' } },
    });
    const before = backends[0]!.map((r) => r[0]!.callsOf('search').length);
    const { hits, coverage } = await docs.search({
      vectors: [[0, 0]],
      topK: 20,
      filter: { tenant: 't3' },
    });
    const after = backends[0]!.map((r) => r[0]!.callsOf('search').length);
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(1);
    expect(coverage.shardsPruned).toBe(3);
    expect(hits[0]!.map((h) => h.id)).toEqual([3, 8, 13, 18, 23, 28, 33, 38, 43, 48]);
  });

  it('moves on to the next replica after a retryable error', async () => {
    const { docs, backends } = await filled(2, 2);
    for (const shard of backends[0]!)
      shard[0]!.fault = (m) => (m === 'search' ? new UnavailableError('down') : undefined);
    for (let i = 0; i < 4; i++) {
      const { hits } = await docs.search({ vectors: [[0, 0]], topK: 1 });
      expect(hits[0]![0]!.id).toBe(0);
    }
  });

  it('reports a non-retryable error at once, and a shard with no live replica', async () => {
    const { docs, backends } = await filled(2, 2);
    backends[0]![1]![0]!.fault = (m) => (m === 'search' ? new BackendError('bad plan') : undefined);
    backends[0]![1]![1]!.fault = (m) => (m === 'search' ? new BackendError('bad plan') : undefined);
    await expect(docs.search({ vectors: [[0, 0]], topK: 1 })).rejects.toBeInstanceOf(BackendError);
    backends[0]![1]![0]!.fault = (m) => (m === 'search' ? new UnavailableError('down') : undefined);
    backends[0]![1]![1]!.fault = (m) => (m === 'search' ? new UnavailableError('down') : undefined);
    const error = (await docs
      .search({ vectors: [[0, 0]], topK: 1 })
      .catch((e: unknown) => e)) as ShardUnavailableError;
    expect(error).toBeInstanceOf(ShardUnavailableError);
    expect(error.meta).toMatchObject({ shard: 's1', cluster: 'c0' });
    expect(error.message).toMatch(/2 in the plan.*down/);
  });

  it('stops at the deadline when a replica hangs', async () => {
    const { docs, backends } = await filled(2, 1);
    backends[0]![0]![0]!.fault = (m) => (m === 'search' ? 'hang' : undefined);
    vi.useFakeTimers();
    const pending = docs
      .search({ vectors: [[0, 0]], topK: 1 }, { timeoutMs: 250 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/search.*250 ms/);
  });

  it('rejects with AbortedError when the caller aborts', async () => {
    const { docs, backends } = await filled(1, 1);
    backends[0]![0]![0]!.fault = (m) => (m === 'search' ? 'hang' : undefined);
    const controller = new AbortController();
    const pending = docs.search({ vectors: [[0, 0]], topK: 1 }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    const aborted = AbortSignal.abort();
    await expect(
      docs.search({ vectors: [[0, 0]], topK: 1 }, { signal: aborted }),
    ).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('search validation', () => {
  it.each([
    ['topK 0', { vectors: [[0, 0]], topK: 0 }, InvalidArgumentError, /`topK`.*number 0/],
    ['topK over the limit', { vectors: [[0, 0]], topK: 2000 }, InvalidArgumentError, /maxTopK/],
    ['a float topK', { vectors: [[0, 0]], topK: 2.5 }, InvalidArgumentError, /`topK`/],
    ['no vectors', { vectors: [], topK: 1 }, InvalidArgumentError, /`vectors`/],
    [
      'a wrong dimension',
      { vectors: [[0, 0, 0]], topK: 1 },
      InvalidVectorError,
      /vectors\[0\].*dimension 3/,
    ],
    ['NaN', { vectors: [[0, Number.NaN]], topK: 1 }, InvalidVectorError, /vectors\[0\]/],
    [
      'an unknown operator',
      { vectors: [[0, 0]], topK: 1, filter: { n: { $regex: 'x' } } },
      InvalidFilterError,
      /\$regex/,
    ],
    [
      'an invalid field name',
      { vectors: [[0, 0]], topK: 1, filter: { 'a.b': 1 } },
      InvalidFilterError,
      /a\.b/,
    ],
    [
      'a negative offset',
      { vectors: [[0, 0]], topK: 1, offset: -1 },
      InvalidArgumentError,
      /`offset`/,
    ],
    ['an unknown field', { vectors: [[0, 0]], topK: 1, top_k: 3 }, InvalidArgumentError, /top_k/],
    [
      'a bad ef',
      { vectors: [[0, 0]], topK: 1, params: { ef: 0 } },
      InvalidArgumentError,
      /params\.ef/,
    ],
  ])('rejects %s', async (_label, request, kind, message) => {
    const { docs, backends } = await filled(2, 1);
    const searchesBefore = backends[0]![0]![0]!.callsOf('search').length;
    const error = await docs.search(request as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toMatch(message);
    expect(backends[0]![0]![0]!.callsOf('search').length).toBe(searchesBefore);
  });

  it('rejects a tenant that is not a string on a mesh without a cache', async () => {
    const { docs, backends } = await filled(2, 1);
    const searchesBefore = backends[0]![0]![0]!.callsOf('search').length;
    const error = await docs
      .search({ vectors: [[0, 0]], topK: 1 }, { tenant: 5 as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/`tenant` must be a string, received number 5/);
    expect(backends[0]![0]![0]!.callsOf('search').length).toBe(searchesBefore);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import {
  BackendError,
  InvalidBatchError,
  InvalidVectorError,
  PartialWriteError,
  UnavailableError,
  type Mesh,
  type Payload,
  type Point,
} from '../../../src/index.js';
import { meshOf } from '../../helpers/mesh-fixture.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

function points(n: number, dimension = 4, from = 0): Point[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${from + i}`,
    vector: Array.from({ length: dimension }, (_, d) => Math.sin(from + i + d) + 1.5),
    payload: { n: from + i },
  }));
}

describe('upsert routing and chunking', () => {
  it('puts every point on exactly its owner shard, on every replica', async () => {
    const fx = await meshOf({ shards: 4, replicas: 2 }, { sharding: { strategy: 'jump' } });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const batch = points(400);
    expect((await docs.upsert(batch)).acknowledged).toBe(400);
    const map = fx.mesh.topology.clusters[0]!.shardMap;
    let total = 0;
    for (const [s, replicas] of fx.backends[0]!.entries()) {
      const expected = batch
        .filter((p) => map.shardFor(p.id) === s)
        .map((p) => p.id)
        .sort();
      for (const replica of replicas) {
        const stored = await replica.get(
          'docs',
          batch.map((p) => p.id),
        );
        expect(stored.map((p) => p.id).sort()).toEqual(expected);
      }
      total += expected.length;
    }
    expect(total).toBe(400);
    expect(await docs.count()).toBe(400);
  });

  it('splits each shard group into chunks of at most batch.maxPoints and maxBytes', async () => {
    const fx = await meshOf(
      { shards: 1, replicas: 1 },
      { batch: { maxPoints: 10, maxBytes: 4096 } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(points(95));
    const sizes = fx.backends[0]![0]![0]!.callsOf('upsert').map((c) => c.size);
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);

    // 64-dim vectors weigh 256 bytes each: at most 15 fit in 4096 bytes.
    const wide = await fx.mesh.createCollection('wide', { dimension: 64, metric: 'l2' });
    await wide.upsert(points(40, 64).map(({ id, vector }) => ({ id, vector })));
    const wideSizes = fx.backends[0]![0]![0]!.callsOf('upsert')
      .slice(10)
      .map((c) => c.size);
    expect(Math.max(...wideSizes)).toBeLessThanOrEqual(15);
    expect(wideSizes.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('keeps at most batch.concurrency requests in flight', async () => {
    const fx = await meshOf(
      { shards: 1, replicas: 1 },
      { batch: { maxPoints: 5, concurrency: 3 } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(points(100));
    const backend = fx.backends[0]![0]![0]!;
    expect(backend.callsOf('upsert')).toHaveLength(20);
    expect(backend.maxInFlight).toBe(3);
  });
});

describe('upsert validation: nothing of a bad batch is written', () => {
  it.each([
    ['a wrong dimension', [{ id: 'a', vector: [1, 2, 3] }], /points\[1\]\.vector.*dimension 3/],
    ['NaN', [{ id: 'a', vector: [1, Number.NaN, 0, 0] }], /points\[1\]\.vector/],
    ['Infinity', [{ id: 'a', vector: [1, Number.POSITIVE_INFINITY, 0, 0] }], /points\[1\]\.vector/],
    ['an empty id', [{ id: '', vector: [1, 0, 0, 0] }], /points\[1\]\.id/],
    [
      'a duplicate id',
      [{ id: 'p0', vector: [1, 0, 0, 0] }],
      /points\[1\]\.id.*repeats `points\[0\]\.id`/,
    ],
    ['a non-object point', [42], /points\[1\]/],
    ['a float id', [{ id: 1.5, vector: [1, 0, 0, 0] }], /points\[1\]\.id/],
    [
      'a misspelt payload field',
      [{ id: 'a', vector: [1, 0, 0, 0], paylaod: { n: 1 } }],
      /^unknown point field `points\[1\]\.paylaod`; expected one of id, vector, payload$/,
    ],
  ])('rejects %s', async (_label, bad, message) => {
    const fx = await meshOf({ shards: 2, replicas: 1 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const batch = [points(1)[0], ...bad] as Point[];
    const error = await docs.upsert(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBatchError);
    const problems = (error as InvalidBatchError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.index).toBe(1);
    expect(problems[0]!.error.message).toMatch(message);
    expect(await docs.count()).toBe(0);
  });

  it('refuses a batch with a __proto__ or constructor.prototype payload key whole', async () => {
    const fx = await meshOf({ shards: 2, replicas: 1 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const batch = points(41);
    batch[7]!.payload = JSON.parse('{"__proto__": {"x": 1}}') as Payload;
    batch[30]!.payload = { n: 30, meta: { constructor: { prototype: { x: 1 } } } };
    const error = await docs.upsert(batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidBatchError);
    expect((error as Error).message).toMatch(/2 of 41 items are invalid, nothing was written/);
    const problems = (error as InvalidBatchError).problems;
    expect(problems.map((p) => [p.index, p.id])).toEqual([
      [7, 'p7'],
      [30, 'p30'],
    ]);
    expect(problems[0]!.error.message).toMatch(/^`points\[7\]\.payload\.__proto__` is refused/);
    expect(problems[1]!.error.message).toMatch(
      /^`points\[30\]\.payload\.meta\.constructor\.prototype` is refused/,
    );
    for (const shard of fx.backends[0]!) {
      expect(shard[0]!.callsOf('upsert')).toHaveLength(0);
      expect(await shard[0]!.count('docs')).toBe(0);
    }
    expect(await docs.count()).toBe(0);
    expect(({} as { x?: number }).x).toBeUndefined();
  });

  it('lists every bad point, and a vector problem keeps its own class', async () => {
    const fx = await meshOf({ shards: 1, replicas: 1 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    const error = (await docs
      .upsert([
        { id: 1, vector: [1] },
        { id: 2, vector: [1, 1] },
        { id: 3, vector: [Number.NaN, 1] },
      ])
      .catch((e: unknown) => e)) as InvalidBatchError;
    expect(error.problems.map((p) => [p.index, p.id])).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(error.problems[0]!.error).toBeInstanceOf(InvalidVectorError);
  });

  it('rejects a batch over limits.maxBatchPoints and a non-array', async () => {
    const fx = await meshOf({ shards: 1, replicas: 1 }, { limits: { maxBatchPoints: 10 } });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await expect(docs.upsert(points(11))).rejects.toThrow(/11 items.*maxBatchPoints/);
    await expect(docs.upsert('nope' as never)).rejects.toThrow(
      /`points` must be an array, received string/,
    );
    await expect(docs.delete([1, 1])).rejects.toBeInstanceOf(InvalidBatchError);
  });
});

describe('partial failures and consistency', () => {
  it('reports exactly the ids of the shard that failed; the others are acknowledged', async () => {
    const fx = await meshOf({ shards: 3, replicas: 1 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    fx.backends[0]![1]![0]!.fault = (m) =>
      m === 'upsert' ? new UnavailableError('shard 1 is down') : undefined;
    const batch = points(90);
    const error = (await docs.upsert(batch).catch((e: unknown) => e)) as PartialWriteError;
    expect(error).toBeInstanceOf(PartialWriteError);
    const map = fx.mesh.topology.clusters[0]!.shardMap;
    const onShard1 = batch.filter((p) => map.shardFor(p.id) === 1).map((p) => p.id);
    expect(error.failures.map((f) => f.id)).toEqual(onShard1);
    expect(error.acknowledged).toBe(90 - onShard1.length);
    expect(error.retryable).toBe(true);
    expect(error.failures[0]!.error.meta).toMatchObject({ shard: 's1', operation: 'upsert' });
    expect(await docs.count()).toBe(90 - onShard1.length);
  });

  it.each([
    ['one', 1, true],
    ['quorum', 1, true],
    ['quorum', 2, false],
    ['all', 1, false],
  ] as const)(
    'consistency %s with %i of 3 replicas down: acknowledged=%s',
    async (consistency, down, ok) => {
      const fx = await meshOf({ shards: 1, replicas: 3 });
      open.push(fx.mesh);
      const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
      for (let r = 0; r < down; r++) {
        fx.backends[0]![0]![r]!.fault = (m) =>
          m === 'upsert' ? new UnavailableError('down') : undefined;
      }
      const outcome = await docs.upsert(points(5), { consistency }).then(
        () => true,
        (e: unknown) => (e instanceof PartialWriteError ? false : e),
      );
      expect(outcome).toBe(ok);
    },
  );

  it('surfaces a non-retryable backend error rather than a retryable one', async () => {
    const fx = await meshOf({ shards: 1, replicas: 2 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    fx.backends[0]![0]![0]!.fault = (m) =>
      m === 'upsert' ? new UnavailableError('down') : undefined;
    fx.backends[0]![0]![1]!.fault = (m) =>
      m === 'upsert' ? new BackendError('disk full') : undefined;
    const error = (await docs.upsert(points(3)).catch((e: unknown) => e)) as PartialWriteError;
    expect(error.failures[0]!.error).toBeInstanceOf(BackendError);
    expect(error.retryable).toBe(false);
  });
});

describe('delete and get', () => {
  it('deletes by id from the owners and reads back in request order', async () => {
    const fx = await meshOf({ shards: 3, replicas: 2 });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(points(30));
    await docs.delete(['p3', 'p4', 'missing']);
    expect(await docs.count()).toBe(28);
    const got = await docs.get(['p5', 'p3', 'p1'], { includeVector: true });
    expect(got.map((p) => p.id)).toEqual(['p5', 'p1']);
    expect(got[0]!.vector).toHaveLength(4);
    expect(got[0]!.payload).toEqual({ n: 5 });
  });

  it('broadcasts deletes and gets to every shard under a payload shard key', async () => {
    const fx = await meshOf(
      { shards: 3, replicas: 1 },
      { sharding: { strategy: 'hash', key: { field: 'tenant' } } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    await docs.upsert([
      { id: 'a', vector: [0, 1], payload: { tenant: 'x' } },
      { id: 'b', vector: [1, 0], payload: { tenant: 'y' } },
    ]);
    expect((await docs.get(['a', 'b'])).map((p) => p.id)).toEqual(['a', 'b']);
    await docs.delete(['a']);
    expect(await docs.count()).toBe(1);
    for (const shard of fx.backends[0]!) expect(shard[0]!.callsOf('delete')).toHaveLength(1);
    await expect(docs.upsert([{ id: 'c', vector: [1, 1] }])).rejects.toThrow(/tenant/);
  });
});

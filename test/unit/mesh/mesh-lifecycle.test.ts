import { afterEach, describe, expect, it } from 'vitest';
import { memoryBackend } from '../../../src/backends/memory/index.js';
import {
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidOptionError,
  InvalidTopologyError,
  UnavailableError,
  createMesh,
  type Mesh,
  type ShardOptions,
} from '../../../src/index.js';
import { meshOf } from '../../helpers/mesh-fixture.js';
import { RecordingBackend } from '../../helpers/recording-backend.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

describe('createMesh options', () => {
  const backend = () => memoryBackend();
  const cluster = (shards: ShardOptions[] = [{ replicas: [{ backend: backend() }] }]) => ({
    name: 'c',
    shards,
  });

  it.each([
    ['no clusters', { clusters: [] }, InvalidTopologyError, /clusters/],
    ['unknown option', { clusters: [cluster()], retires: 3 }, InvalidOptionError, /`retires`/],
    [
      'zero weight',
      { clusters: [cluster([{ replicas: [{ backend: backend(), weight: 0 }] }])] },
      InvalidTopologyError,
      /weight/,
    ],
    ['no replicas', { clusters: [cluster([{ replicas: [] }])] }, InvalidTopologyError, /replicas/],
    [
      'duplicate cluster names',
      { clusters: [cluster(), cluster()] },
      InvalidTopologyError,
      /duplicate|twice|unique/i,
    ],
    [
      'bad consistency',
      { clusters: [cluster()], replication: { writeConsistency: 'most' } },
      InvalidOptionError,
      /writeConsistency/,
    ],
    [
      'negative batch size',
      { clusters: [cluster()], batch: { maxPoints: -1 } },
      InvalidOptionError,
      /batch\.maxPoints.*-1/,
    ],
    [
      'unknown strategy',
      { clusters: [cluster()], sharding: { strategy: 'modulo' } },
      InvalidOptionError,
      /strategy/,
    ],
  ])('rejects %s', (_label, options, kind, message) => {
    let caught: unknown;
    try {
      createMesh(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(kind);
    expect((caught as Error).message).toMatch(message);
  });

  it('rejects two replicas on one endpoint, which would share one physical collection', () => {
    const a = memoryBackend({ name: 'same' });
    const b = memoryBackend({ name: 'same' });
    expect(() =>
      createMesh({
        clusters: [cluster([{ replicas: [{ backend: a }] }, { replicas: [{ backend: b }] }])],
      }),
    ).toThrow(/memory:\/\/same/);
    expect(() =>
      createMesh({
        clusters: [
          cluster([
            { replicas: [{ backend: a, namespace: 's0' }] },
            { replicas: [{ backend: b, namespace: 's0' }] },
          ]),
        ],
      }),
    ).toThrow(/memory:\/\/same namespace s0/);
  });

  it.each([['s-0'], ['0s'], [''], ['x'.repeat(65)], [7]])(
    'rejects the namespace %j',
    (namespace) => {
      expect(() =>
        createMesh({
          clusters: [
            cluster([{ replicas: [{ backend: backend(), namespace: namespace as never }] }]),
          ],
        }),
      ).toThrow(/clusters\[0\]\.shards\[0\]\.replicas\[0\]\.namespace/);
    },
  );
});

describe('namespaces: several shards on one backend', () => {
  const cluster = (shards: ShardOptions[]) => ({ name: 'c', shards });

  it('keeps each shard in its own physical collection, for every operation', async () => {
    const shared = memoryBackend({ name: 'shared' });
    const mesh = createMesh({
      clusters: [
        cluster(
          ['s0', 's1', 's2'].map((namespace) => ({
            replicas: [{ backend: shared, namespace }],
          })),
        ),
      ],
    });
    open.push(mesh);
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    expect((await shared.listCollections()).sort()).toEqual(['s0__docs', 's1__docs', 's2__docs']);
    const points = Array.from({ length: 60 }, (_, i) => ({ id: i, vector: [i, 0] }));
    await docs.upsert(points);
    const perShard = await Promise.all(['s0', 's1', 's2'].map((ns) => shared.count(`${ns}__docs`)));
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(60);
    expect(perShard.every((n) => n > 0 && n < 60)).toBe(true);
    expect(await docs.count()).toBe(60);
    const [hits] = (await docs.search({ vectors: [[10.2, 0]], topK: 3 })).hits;
    expect(hits?.map((h) => h.id)).toEqual([10, 11, 9]);
    await docs.delete([10]);
    expect(await docs.get([10, 11])).toMatchObject([{ id: 11 }]);
    const fresh = createMesh({
      clusters: [cluster([{ replicas: [{ backend: shared, namespace: 's1' }] }])],
    });
    open.push(fresh);
    await fresh.connect();
    // The spec is described from the namespaced collection.
    expect(await fresh.collection('docs').count()).toBe(perShard[1]);
    expect(await mesh.dropCollection('docs')).toBe(true);
    expect(await shared.listCollections()).toEqual([]);
  });
});

describe('mesh lifecycle', () => {
  it('refuses operations before connect and after close', async () => {
    const mesh = createMesh({
      clusters: [{ name: 'c', shards: [{ replicas: [{ backend: memoryBackend() }] }] }],
    });
    await expect(
      mesh.createCollection('docs', { dimension: 2, metric: 'l2' }),
    ).rejects.toBeInstanceOf(ClosedError);
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    await mesh.close();
    await mesh.close();
    await expect(docs.search({ vectors: [[0, 0]], topK: 1 })).rejects.toBeInstanceOf(ClosedError);
    await expect(mesh.connect()).rejects.toBeInstanceOf(ClosedError);
  });

  it('connects when one replica per shard is reachable, and fails when a shard has none', async () => {
    const down = new RecordingBackend(memoryBackend());
    down.fault = (m) => (m === 'connect' ? new UnavailableError('refused') : undefined);
    const up = new RecordingBackend(memoryBackend());
    const tolerant = createMesh({
      clusters: [{ name: 'c', shards: [{ replicas: [{ backend: down }, { backend: up }] }] }],
    });
    await tolerant.connect();
    open.push(tolerant);

    const alone = new RecordingBackend(memoryBackend());
    alone.fault = (m) => (m === 'connect' ? new UnavailableError('refused') : undefined);
    const fragile = createMesh({
      clusters: [{ name: 'c', shards: [{ replicas: [{ backend: alone }] }] }],
    });
    await expect(fragile.connect()).rejects.toThrow(/no cluster can serve every shard.*refused/);
  });

  it('closes every backend once, and supports await using', async () => {
    const fx = await meshOf({ shards: 2, replicas: 2 });
    {
      await using mesh = fx.mesh;
      expect(mesh.topology.replicas).toHaveLength(4);
    }
    await expect(fx.mesh.collection('x').count()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('collections across the mesh', () => {
  it('creates and drops on every replica of every shard and cluster', async () => {
    const fx = await meshOf({ clusters: 2, shards: 3, replicas: 2 });
    open.push(fx.mesh);
    await fx.mesh.createCollection('docs', { dimension: 4, metric: 'cosine' });
    const all = fx.backends.flat(2);
    expect(all).toHaveLength(12);
    for (const b of all) expect(await b.listCollections()).toEqual(['docs']);
    expect(await fx.mesh.dropCollection('docs')).toBe(true);
    for (const b of all) expect(await b.listCollections()).toEqual([]);
    expect(await fx.mesh.dropCollection('docs')).toBe(false);
  });

  it('is idempotent for the same spec and reports a conflicting one', async () => {
    const fx = await meshOf({ shards: 2, replicas: 1 });
    open.push(fx.mesh);
    await fx.mesh.createCollection('docs', { dimension: 4, metric: 'cosine' });
    await fx.mesh.createCollection('docs', { dimension: 4, metric: 'cosine' });
    await expect(
      fx.mesh.createCollection('docs', { dimension: 8, metric: 'cosine' }),
    ).rejects.toBeInstanceOf(CollectionConflictError);
  });

  it('names the replicas that failed when a create fails on some', async () => {
    const fx = await meshOf({ shards: 2, replicas: 2 });
    open.push(fx.mesh);
    fx.backends[0]![1]![1]!.fault = (m) =>
      m === 'createCollection' ? new UnavailableError('gone') : undefined;
    const error = await fx.mesh
      .createCollection('docs', { dimension: 4, metric: 'l2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /1 of 4 replicas: c0\/s1\/r1 \(VECMESH_ERR_UNAVAILABLE: gone\)/,
    );
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it('validates names and specs', async () => {
    const fx = await meshOf({ shards: 1, replicas: 1 });
    open.push(fx.mesh);
    expect(() => fx.mesh.collection('bad name')).toThrow(InvalidArgumentError);
    await expect(fx.mesh.createCollection('docs', { dimension: 0, metric: 'l2' })).rejects.toThrow(
      /spec\.dimension.*number 0/,
    );
    await expect(
      fx.mesh.createCollection('docs', { dimension: 3, metric: 'manhattan' as never }),
    ).rejects.toThrow(/spec\.metric/);
  });

  it('refuses a spec field it does not know, naming it, and creates nothing', async () => {
    const fx = await meshOf({ shards: 2, replicas: 1 });
    open.push(fx.mesh);
    const cases: [unknown, RegExp][] = [
      [
        { dimensions: 5 },
        /^unknown option `spec\.dimensions`; expected one of dimension, metric, index$/,
      ],
      [
        { dimension: 5, metric: 'l2', metirc: 'ip' },
        /^unknown option `spec\.metirc`; expected one of dimension, metric, index$/,
      ],
      [
        { dimension: 5, metric: 'l2', index: { type: 'hnsw', ef_construction: 64 } },
        /^unknown option `spec\.index\.ef_construction`; expected one of type, m, efConstruction$/,
      ],
      [[5, 'l2'], /^`spec` must be an object, received array of length 2$/],
    ];
    for (const [spec, message] of cases) {
      const error = await fx.mesh.createCollection('x', spec as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    for (const b of fx.backends.flat(2)) expect(await b.listCollections()).toEqual([]);
  });

  it('learns an existing collection spec from a backend, and reports an unknown one', async () => {
    const fx = await meshOf({ shards: 2, replicas: 1 });
    open.push(fx.mesh);
    await fx.mesh.createCollection('docs', { dimension: 3, metric: 'ip' });
    const other = createMesh({
      clusters: [
        {
          name: 'c0',
          shards: fx.backends[0]!.map((replicas) => ({
            replicas: replicas.map((backend) => ({ backend })),
          })),
        },
      ],
    });
    await other.connect();
    expect(await other.collection('docs').describe()).toEqual({ dimension: 3, metric: 'ip' });
    await expect(other.collection('nope').count()).rejects.toBeInstanceOf(CollectionNotFoundError);
  });
});

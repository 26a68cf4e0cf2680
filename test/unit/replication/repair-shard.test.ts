import { afterEach, describe, expect, it } from 'vitest';
import type { VectorBackend } from '../../../src/backends/backend.js';
import { MemoryBackend, memoryBackend } from '../../../src/backends/memory/index.js';
import {
  AbortedError,
  CollectionNotFoundError,
  InvalidOptionError,
  TimeoutError,
  UnavailableError,
} from '../../../src/core/errors.js';
import type { Point, PointId, StoredPoint } from '../../../src/core/types.js';
import { MeshEventEmitter } from '../../../src/core/events.js';
import { noopMetrics } from '../../../src/metrics/metrics-sink.js';
import { resolveBreakerOptions } from '../../../src/resilience/breaker.js';
import type { RepairOptions } from '../../../src/core/maintenance-options.js';
import { repairShard } from '../../../src/replication/repair.js';
import { RuntimeRegistry } from '../../../src/replication/runtime-registry.js';
import {
  resolveBackendTopology,
  type Shard,
  type Topology,
} from '../../../src/backends/backend-topology.js';
import { RecordingBackend } from '../../helpers/recording-backend.js';

const DIM = 4;
const registries: RuntimeRegistry[] = [];
afterEach(() => {
  for (const registry of registries.splice(0)) registry.shutdown();
});

/** Runtimes (breakers) for the replicas of `topology`, as the mesh keeps them. */
function runtimesOf(topology: Topology, breaker: object = {}): RuntimeRegistry {
  const registry = new RuntimeRegistry(
    topology,
    {
      balancing: 'round-robin',
      breaker: resolveBreakerOptions(breaker),
      hedging: undefined,
      metrics: noopMetrics,
      replication: { mode: 'leaderless', readYourWrites: false },
      readPreference: 'priority',
    },
    new MeshEventEmitter(),
    () => undefined,
  );
  registries.push(registry);
  return registry;
}

/** Repairs collection `docs` of `shard`, through runtimes of its own. */
function repair(shard: Shard, options?: RepairOptions): ReturnType<typeof repairShard> {
  const topology = { replicas: shard.replicas, clusters: [] } as unknown as Topology;
  return repairShard(runtimesOf(topology), shard, 'docs', options);
}
const open: VectorBackend[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

function point(id: PointId): Point {
  const n = typeof id === 'number' ? id : id.length * 31 + id.charCodeAt(id.length - 1);
  return {
    id,
    vector: Float32Array.from({ length: DIM }, (_, d) => Math.sin(n * 7 + d) / 3),
    payload: { id: String(id), n, tags: ['x', typeof id] },
  };
}

/** A shard of memory replicas, each holding the given ids in collection `docs`. */
async function shardOf(
  holdings: readonly (readonly PointId[])[],
  wrap: (b: MemoryBackend, i: number) => VectorBackend = (b) => b,
): Promise<{ shard: Shard; backends: VectorBackend[] }> {
  const backends: VectorBackend[] = [];
  for (const [i, ids] of holdings.entries()) {
    const inner = memoryBackend({ name: `repair-${i}-${Math.random().toString(36).slice(2)}` });
    await inner.connect();
    await inner.createCollection('docs', { dimension: DIM, metric: 'l2' });
    if (ids.length > 0) await inner.upsert('docs', ids.map(point));
    const backend = wrap(inner, i);
    open.push(inner);
    backends.push(backend);
  }
  const topology = resolveBackendTopology({
    clusters: [
      { name: 'c0', shards: [{ name: 's0', replicas: backends.map((backend) => ({ backend })) }] },
    ],
  });
  return { shard: topology.clusters[0]!.shards[0]!, backends };
}

async function contents(backend: VectorBackend): Promise<StoredPoint[]> {
  const ids: PointId[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.scanIds(
      'docs',
      cursor === undefined ? { limit: 100 } : { cursor, limit: 100 },
    );
    ids.push(...page.ids);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  // The scan order (by id key) is the same on every memory backend, so lists compare as is.
  return backend.get('docs', ids, { includeVector: true });
}

const range = (from: number, to: number, prefix = 'd'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe('repairShard', () => {
  it('gives every replica the union, with identical payloads and vectors, and reports counts', async () => {
    const a = [...range(0, 40), 1, 2];
    const b = [...range(20, 60), 2, '1'];
    const c = [...range(50, 70)];
    const { shard, backends } = await shardOf([a, b, c]);
    const report = await repair(shard);

    const union = new Set([...a, ...b, ...c].map((id) => `${typeof id}:${id}`));
    expect(report).toEqual({
      cluster: 'c0',
      shard: 's0',
      union: union.size,
      replicas: [
        { replica: 'c0/s0/r0', had: 42, missing: union.size - 42, copied: union.size - 42 },
        { replica: 'c0/s0/r1', had: 42, missing: union.size - 42, copied: union.size - 42 },
        { replica: 'c0/s0/r2', had: 20, missing: union.size - 20, copied: union.size - 20 },
      ],
    });
    expect(union.size).toBe(73); // d0..d69, 1, 2 and '1' (1 and '1' are different ids)
    const [first, ...rest] = await Promise.all(backends.map(contents));
    expect(first).toHaveLength(union.size);
    for (const other of rest) expect(other).toEqual(first);
    // Exactly what was written, float32 for float32.
    const d33 = first!.find((p) => p.id === 'd33')!;
    expect(d33.payload).toEqual(point('d33').payload);
    expect(d33.vector).toEqual(Array.from(point('d33').vector));
    expect(Object.isFrozen(report) && Object.isFrozen(report.replicas)).toBe(true);

    // A second repair finds nothing to do.
    const again = await repair(shard);
    expect(again.replicas.map((r) => r.missing)).toEqual([0, 0, 0]);
  });

  it('pages the id scan and batches the copies', async () => {
    const recorders: RecordingBackend[] = [];
    const { shard } = await shardOf([range(0, 25), range(0, 3), []], (b) => {
      const r = new RecordingBackend(b);
      recorders.push(r);
      return r;
    });
    const report = await repair(shard, { pageSize: 4, batchSize: 5 });
    expect(report.union).toBe(25);
    // 25 ids in pages of 4: 7 pages.
    expect(recorders[0]!.callsOf('scanIds')).toHaveLength(7);
    expect(recorders[0]!.callsOf('scanIds').every((c) => c.size === 4)).toBe(true);
    // r1 lacks 22 ids, r2 lacks 25: in batches of at most 5, all read from r0 (first in order).
    expect(recorders[1]!.callsOf('upsert').map((c) => c.size)).toEqual([5, 5, 5, 5, 2]);
    expect(recorders[2]!.callsOf('upsert').map((c) => c.size)).toEqual([5, 5, 5, 5, 5]);
    expect(recorders[0]!.callsOf('get')).toHaveLength(10);
    expect(recorders[1]!.callsOf('get')).toHaveLength(0);
    expect(recorders[2]!.callsOf('get')).toHaveLength(0);
  });

  it("keeps page and batch sizes within the backends' request limits", async () => {
    const small = (b: MemoryBackend, i: number): VectorBackend => {
      if (i !== 1) return b;
      const limited = memoryBackend({
        name: `limited-${Math.random()}`,
        capabilities: { maxPointsPerRequest: 3 },
      });
      return new RecordingBackend(limited);
    };
    const { shard, backends } = await shardOf([range(0, 10), []], small);
    const limited = backends[1] as RecordingBackend;
    await limited.inner.connect();
    await limited.inner.createCollection('docs', { dimension: DIM, metric: 'l2' });
    open.push(limited.inner);
    const report = await repair(shard, { pageSize: 100, batchSize: 100 });
    expect(report.replicas[1]).toMatchObject({ missing: 10, copied: 10 });
    expect(limited.callsOf('upsert').map((c) => c.size)).toEqual([3, 3, 3, 1]);
  });

  it('skips ids deleted between the scan and the copy', async () => {
    let source: MemoryBackend | undefined;
    const { backends } = await shardOf([range(0, 6), []], (b, i) => {
      if (i === 0) source = b;
      return b;
    });
    const racing = new RecordingBackend(source!);
    racing.fault = (method) => {
      if (method === 'get') void source!.delete('docs', ['d2', 'd4']);
      return undefined;
    };
    const topology = resolveBackendTopology({
      clusters: [
        { name: 'c0', shards: [{ replicas: [{ backend: racing }, { backend: backends[1]! }] }] },
      ],
    });
    const report = await repair(topology.clusters[0]!.shards[0]!);
    expect(report.replicas[1]).toMatchObject({ had: 0, missing: 6, copied: 4 });
    expect((await contents(backends[1]!)).map((p) => p.id)).toEqual(['d0', 'd1', 'd3', 'd5']);
  });

  it('uses each replica its own physical collection name (its namespace)', async () => {
    const a = memoryBackend({ name: `phys-a-${Math.random()}` });
    const b = memoryBackend({ name: `phys-b-${Math.random()}` });
    open.push(a, b);
    for (const [backend, name] of [
      [a, 'a__docs'],
      [b, 'b__docs'],
    ] as const) {
      await backend.connect();
      await backend.createCollection(name, { dimension: DIM, metric: 'l2' });
    }
    await a.upsert('a__docs', [point('x')]);
    await b.upsert('b__docs', [point('y')]);
    const topology = resolveBackendTopology({
      clusters: [
        {
          name: 'c0',
          shards: [
            {
              replicas: [
                { backend: a, namespace: 'a' },
                { backend: b, namespace: 'b' },
              ],
            },
          ],
        },
      ],
    });
    const report = await repair(topology.clusters[0]!.shards[0]!);
    expect(report.union).toBe(2);
    expect((await a.get('a__docs', ['x', 'y'])).map((p) => p.id)).toEqual(['x', 'y']);
    expect((await b.get('b__docs', ['x', 'y'])).map((p) => p.id)).toEqual(['x', 'y']);
  });

  it('respects an open breaker: a replica behind it is not called, and the shard fails', async () => {
    const recorders: RecordingBackend[] = [];
    const { shard } = await shardOf([range(0, 5), []], (b) => {
      const r = new RecordingBackend(b);
      recorders.push(r);
      return r;
    });
    const topology = { replicas: shard.replicas, clusters: [] } as unknown as Topology;
    const runtimes = runtimesOf(topology, { consecutiveFailures: 1 });
    // One replica fault through r1's runtime opens its breaker, as live traffic would.
    const down = new UnavailableError('r1 refused the connection');
    await expect(
      runtimes.runtime(shard.replicas[1]!).call(() => Promise.reject(down)),
    ).rejects.toBe(down);
    expect(runtimes.runtime(shard.replicas[1]!).breaker.state).toBe('open');
    const error = await repairShard(runtimes, shard, 'docs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).meta).toMatchObject({
      replica: 'c0/s0/r1',
      operation: 'repair.scanIds',
    });
    // The open breaker answered for it: the backend saw no call at all.
    expect(recorders[1]!.calls).toHaveLength(0);
    expect(await recorders[1]!.inner.count('docs')).toBe(0);
  });

  it('fails the whole shard, tagged, when a replica cannot be scanned', async () => {
    const boom = new UnavailableError('replica r1 is down');
    const { shard, backends } = await shardOf([range(0, 5), range(5, 10), []], (b, i) => {
      const r = new RecordingBackend(b);
      if (i === 1) r.fault = (m) => (m === 'scanIds' ? boom : undefined);
      return r;
    });
    const error = await repair(shard).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toBe('replica r1 is down');
    expect((error as UnavailableError).meta).toMatchObject({
      cluster: 'c0',
      shard: 's0',
      replica: 'c0/s0/r1',
      operation: 'repair.scanIds',
    });
    // Nothing was copied anywhere.
    expect((backends[2] as RecordingBackend).callsOf('upsert')).toHaveLength(0);
    expect(await (backends[2] as RecordingBackend).inner.count('docs')).toBe(0);
  });

  it('fails, tagged, when a replica lacks the collection or a copy cannot be written', async () => {
    const { shard } = await shardOf([range(0, 3), []], (b, i) => {
      if (i === 1) void b.dropCollection('docs');
      return b;
    });
    const error = await repair(shard).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectionNotFoundError);
    expect((error as CollectionNotFoundError).meta).toMatchObject({ replica: 'c0/s0/r1' });

    const failing = await shardOf([range(0, 3), []], (b, i) => {
      const r = new RecordingBackend(b);
      if (i === 1)
        r.fault = (m) => (m === 'upsert' ? new UnavailableError('disk full') : undefined);
      return r;
    });
    const writeError = await repair(failing.shard).catch((e: unknown) => e);
    expect(writeError).toBeInstanceOf(UnavailableError);
    expect((writeError as UnavailableError).meta).toMatchObject({
      replica: 'c0/s0/r1',
      shard: 's0',
    });
  });

  it('honours an abort signal: before it starts and in the middle', async () => {
    const { shard } = await shardOf([range(0, 20), []]);
    await expect(repair(shard, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );

    const controller = new AbortController();
    const recorders: RecordingBackend[] = [];
    const mid = await shardOf([range(0, 20), []], (b) => {
      const r = new RecordingBackend(b);
      recorders.push(r);
      return r;
    });
    recorders[0]!.fault = (m) => {
      if (m === 'get' && recorders[0]!.callsOf('get').length === 2) controller.abort();
      return undefined;
    };
    const error = await repair(mid.shard, {
      batchSize: 5,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).meta).toMatchObject({ cluster: 'c0', shard: 's0' });
    // It stopped: at most the batches before the abort were copied.
    expect(recorders[1]!.callsOf('upsert').length).toBeLessThanOrEqual(1);

    const timeout = new AbortController();
    timeout.abort(new DOMException('too slow', 'TimeoutError'));
    await expect(repair(shard, { signal: timeout.signal })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('validates its options', async () => {
    const { shard } = await shardOf([[], []]);
    await expect(repair(shard, { pageSize: 0 })).rejects.toThrow(
      /`options.pageSize` must be an integer/,
    );
    await expect(repair(shard, { batchSize: 2.5 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(repair(shard, { page: 3 } as never)).rejects.toThrow(
      /unknown option `options.page`/,
    );
    for (const signal of [{ aborted: true }, 'abort']) {
      const error = await repair(shard, { signal: signal as never }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(/`options.signal` must be an AbortSignal/);
    }
    const empty = await repair(shard);
    expect(empty.union).toBe(0);
  });
});

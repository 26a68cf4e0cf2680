/**
 * Replication and hinted handoff: quorum writes with a replica down per shard, replay after it
 * comes back, primary mode, hint overflow and repair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMesh,
  InvalidOptionError,
  InvalidTopologyError,
  memoryHintStore,
  PartialWriteError,
  type Mesh,
} from '../../../../src/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryBackend } from '../../../../src/backends/memory/index.js';
import { fileHintStore } from '../../../../src/index.js';
import { FaultyBackend } from '../../../../src/testing/index.js';
import {
  faultyMesh,
  nextEvent,
  somePoints,
  type FaultyFixture,
} from '../../../helpers/faulty-mesh.js';

const open: Mesh[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function idsOn(fx: FaultyFixture, c: number, s: number, r: number): Promise<string[]> {
  const backend = fx.backends[c]![s]![r]!.inner;
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.scanIds(
      'docs',
      cursor === undefined ? { limit: 1000 } : { cursor, limit: 1000 },
    );
    ids.push(...page.ids.map(String));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids.sort();
}

describe('leaderless quorum writes with hinted handoff', () => {
  it('acknowledge with one replica per shard down, and after replay every replica holds every acknowledged point', async () => {
    const fx = await faultyMesh(
      { shards: 3, replicas: 3 },
      { retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 }, health: { intervalMs: 20 } },
    );
    open.push(fx.mesh);
    await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const docs = fx.mesh.collection('docs');
    for (const shard of fx.backends[0]!) shard[2]!.partition();

    let acknowledged = 0;
    for (let batch = 0; batch < 5; batch++) {
      const result = await docs.upsert(somePoints(60, batch * 60), { consistency: 'quorum' });
      acknowledged += result.acknowledged;
    }
    // The partitioned replicas' hand-offs may land after the quorum acknowledged.
    await fx.mesh.flushHints();
    await docs.delete(['p0', 'p1']);
    expect(acknowledged).toBe(300);
    expect(fx.mesh.pendingHints()).toBeGreaterThan(0);
    for (let s = 0; s < 3; s++) {
      expect(await idsOn(fx, 0, s, 2)).toEqual([]);
    }

    for (const shard of fx.backends[0]!) shard[2]!.heal();
    while (fx.mesh.pendingHints() > 0)
      await nextEvent(fx.mesh, 'hint', (e) => e.action === 'replayed');
    await fx.mesh.flushHints();

    const expected = somePoints(300)
      .map((p) => p.id)
      .filter((id) => id !== 'p0' && id !== 'p1');
    let total = 0;
    for (let s = 0; s < 3; s++) {
      const first = await idsOn(fx, 0, s, 0);
      for (let r = 1; r < 3; r++) expect(await idsOn(fx, 0, s, r)).toEqual(first);
      total += first.length;
    }
    expect(total).toBe(expected.length);
  });

  it('fails a write below quorum and says which ids', async () => {
    const fx = await faultyMesh({ shards: 1, replicas: 3 }, { retry: { retries: 0 } });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    fx.backends[0]![0]![0]!.partition();
    fx.backends[0]![0]![1]!.partition();
    const error = (await docs.upsert(somePoints(3)).catch((e: unknown) => e)) as PartialWriteError;
    expect(error).toBeInstanceOf(PartialWriteError);
    expect(error.failures.map((f) => f.id)).toEqual(['p0', 'p1', 'p2']);
    expect(error.acknowledged).toBe(0);
  });

  it('a replica back with pending hints ends on the newest write once they are replayed', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 3 },
      { retry: { retries: 0 }, health: { intervalMs: 20 } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const lagging = fx.backends[0]![0]![2]!;
    lagging.partition();
    await docs.upsert([{ id: 'x', vector: [1, 1, 1, 1], payload: { version: 1 } }]);
    lagging.heal();
    // Written while the old hint waits: it must reach the replica after version 1, not before.
    await docs.upsert([{ id: 'x', vector: [1, 1, 1, 1], payload: { version: 2 } }]);
    while (fx.mesh.pendingHints() > 0)
      await nextEvent(fx.mesh, 'hint', (e) => e.action === 'replayed');
    await fx.mesh.flushHints();
    const [point] = await lagging.inner.get('docs', ['x']);
    expect(point?.payload).toEqual({ version: 2 });
  });

  it('rejects a write consistency stronger than the replica count', () => {
    expect(() =>
      createMesh({
        clusters: [
          {
            name: 'c',
            shards: [{ replicas: [{ backend: memoryBackend() }, { backend: memoryBackend() }] }],
          },
        ],
        replication: { writeConsistency: 3 },
      }),
    ).toThrow(InvalidTopologyError);
  });
});

describe('primary (master-slave) replication', () => {
  it('acknowledges at the primary, replicates through hints, reads secondaries unless readYourWrites', async () => {
    const fx = await faultyMesh({ shards: 1, replicas: 3 }, { replication: { mode: 'primary' } });
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const [primary, s1, s2] = fx.backends[0]![0]!;
    const result = await docs.upsert(somePoints(10));
    expect(result.requests).toBe(1);
    expect(result.handedOff).toBe(2);
    await fx.mesh.flushHints();
    expect(await idsOn(fx, 0, 0, 1)).toHaveLength(10);
    expect(await idsOn(fx, 0, 0, 2)).toHaveLength(10);
    primary!.resetStats();
    for (let i = 0; i < 6; i++) await docs.search({ vectors: [[1, 2, 3, 4]], topK: 1 });
    expect(primary!.stats.byMethod.search ?? 0).toBe(0);
    expect((s1!.stats.byMethod.search ?? 0) + (s2!.stats.byMethod.search ?? 0)).toBe(6);

    const ryw = await faultyMesh(
      { shards: 1, replicas: 2 },
      { replication: { mode: 'primary', readYourWrites: true } },
    );
    open.push(ryw.mesh);
    const col = await ryw.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await col.upsert(somePoints(1));
    expect((await col.get(['p0'])).map((p) => p.id)).toEqual(['p0']);
  });
});

describe('hint overflow and repair', () => {
  it('marks an overflowing replica, and repair makes the replicas converge', async () => {
    const fx = await faultyMesh(
      { shards: 2, replicas: 2 },
      {
        hints: { store: memoryHintStore({ maxHintsPerReplica: 2 }) },
        retry: { retries: 0 },
        replication: { writeConsistency: 'one' },
      },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    const down = fx.backends[0]![0]![1]!;
    down.partition();
    for (let i = 0; i < 5; i++) await docs.upsert(somePoints(10, i * 10));
    expect(fx.mesh.replicasNeedingRepair()).toEqual(['c0/s0/r1']);
    down.heal();
    // Repair goes through each replica's breaker: the probe that sees r1 answer closes it.
    await fx.mesh.checkHealth();
    const reports = await fx.mesh.repair('docs');
    expect(fx.mesh.replicasNeedingRepair()).toEqual([]);
    const shard0 = reports.find((r) => r.shard === 's0')!;
    expect(shard0.replicas.find((r) => r.replica === 'c0/s0/r1')!.copied).toBe(shard0.union);
    for (let s = 0; s < 2; s++) expect(await idsOn(fx, 0, s, 1)).toEqual(await idsOn(fx, 0, s, 0));
  });

  it('repair refuses a bad option before it calls any replica', async () => {
    const fx = await faultyMesh({ shards: 2, replicas: 2 });
    open.push(fx.mesh);
    await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    // Every replica down: a repair that reached one would fail on it instead.
    for (const replica of fx.backends[0]!.flat()) replica.partition();
    for (const options of [{ signal: 'stop' }, { pageSize: 0 }, { batchSize: 'all' }]) {
      const error = await fx.mesh.repair('docs', options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(/`options\.(signal|pageSize|batchSize)` must be/);
    }
  });
});

describe('quorum reads and cluster write modes', () => {
  it('a quorum read finds a point that one replica of the shard is missing', async () => {
    const fx = await faultyMesh(
      { shards: 1, replicas: 3 },
      { replication: { readConsistency: 'quorum' } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(4));
    // One replica loses p0 behind the mesh's back; any majority includes a replica that has it.
    await fx.backends[0]![0]![0]!.inner.delete('docs', ['p0']);
    for (let i = 0; i < 6; i++) {
      const { hits } = await docs.search({ vectors: [[1, 2, 3, 4]], topK: 4 });
      expect(hits[0]!.map((h) => h.id)).toContain('p0');
      expect((await docs.get(['p0'])).length).toBe(1);
    }
  });

  it('primary-cluster writes only the preferred cluster that can take them', async () => {
    const fx = await faultyMesh(
      { clusters: 2, shards: 1, replicas: 1 },
      { replication: { clusters: 'primary-cluster' } },
    );
    open.push(fx.mesh);
    const docs = await fx.mesh.createCollection('docs', { dimension: 4, metric: 'l2' });
    await docs.upsert(somePoints(3));
    expect(await idsOn(fx, 0, 0, 0)).toHaveLength(3);
    expect(await idsOn(fx, 1, 0, 0)).toHaveLength(0);
  });
});

describe('durable hints across a client restart', () => {
  it('replays hints a previous mesh process left in a file hint store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vecmesh-hints-'));
    try {
      const backends = [0, 1, 2].map(() => new FaultyBackend(memoryBackend()));
      const make = () =>
        createMesh({
          clusters: [
            { name: 'c0', shards: [{ replicas: backends.map((backend) => ({ backend })) }] },
          ],
          hints: { store: fileHintStore({ dir }) },
          retry: { retries: 0 },
          health: { intervalMs: 60_000 },
        });
      const first = make();
      await first.connect();
      const docs = await first.createCollection('docs', { dimension: 4, metric: 'l2' });
      backends[2]!.partition();
      await docs.upsert(somePoints(20));
      await first.flushHints(); // the partitioned replica's hint may be stored after the ack
      expect(first.pendingHints()).toBeGreaterThan(0);
      // The first client goes away; its acknowledged writes for the partitioned replica are on disk.
      backends[2]!.heal();
      const second = make();
      await second.connect();
      open.push(second);
      await second.flushHints();
      expect(second.pendingHints()).toBe(0);
      const ids = (await backends[2]!.inner.scanIds('docs', { limit: 100 })).ids;
      expect(ids).toHaveLength(20);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

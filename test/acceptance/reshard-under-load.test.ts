/**
 * Online resharding on real reference-node processes under a bounded read and write load:
 * grow 3 -> 4 shards (interrupted mid-copy, then resumed from its checkpoint) and shrink back
 * 4 -> 3. Zero failed reads, every acknowledged write readable with its latest value, no point
 * on two shards, and the moved fraction near 1/4.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  createMesh,
  type ClusterOptions,
  type Mesh,
  type PointId,
} from '../../src/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';
import { referenceBackend } from '../../src/backends/reference/index.js';

const DIMENSION = 8;
const INITIAL = 3000;
let dir: string;
let cluster: LocalCluster;
let mesh: Mesh;

function vector(i: number, v: number): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => Math.sin(i * 0.7 + d) + 1.1 + v * 1e-3);
}

/** The local cluster's first `n` shards. */
function shards(n: number): ClusterOptions {
  return { ...cluster.topology, shards: cluster.topology.shards.slice(0, n) };
}

/** What the load acknowledged: the latest value of every id (undefined when its last write failed). */
const latest = new Map<number, number | undefined>();

// Node processes start slowly on a loaded machine: more than the default 10 s hook timeout.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-reshard-'));
  cluster = await startLocalCluster({ shards: 4, replicas: 1, fsync: false });
  mesh = createMesh({
    clusters: [shards(3)],
    sharding: { strategy: 'consistent-hash' },
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 50 },
    timeoutMs: 10_000,
  });
  await mesh.connect();
  const docs = await mesh.createCollection('docs', {
    dimension: DIMENSION,
    metric: 'l2',
    index: { type: 'flat' },
  });
  for (let i = 0; i < INITIAL; i += 500) {
    const batch = Array.from({ length: 500 }, (_, k) => ({
      id: i + k,
      vector: vector(i + k, 0),
      payload: { v: 0 },
    }));
    await docs.upsert(batch);
    for (const p of batch) latest.set(p.id, 0);
  }
}, 60_000);

afterAll(async () => {
  await mesh.close();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

interface LoadReport {
  reads: number;
  failedReads: number;
  missingInGet: number;
  writes: number;
}

/**
 * Runs `body` under one writer (new ids and updates of old ones) and two readers (search, and
 * get of acknowledged ids, which must all be found). The load stops itself once `body` is done
 * and 100 more writes were acknowledged after it.
 */
async function underLoad(body: () => Promise<void>): Promise<LoadReport> {
  const docs = mesh.collection('docs');
  const report: LoadReport = { reads: 0, failedReads: 0, missingInGet: 0, writes: 0 };
  let running = true;
  let next = Math.max(...latest.keys()) + 1;
  let version = Math.max(0, ...[...latest.values()].map((v) => v ?? 0)) + 1;
  let stopAt = Number.POSITIVE_INFINITY;
  const writer = async () => {
    while (running && report.writes < stopAt) {
      const v = version++;
      const fresh = Array.from({ length: 10 }, () => next++);
      const updated = Array.from({ length: 10 }, (_, k) => (v * 37 + k * 101) % INITIAL);
      const ids = [...fresh, ...updated];
      try {
        await docs.upsert(ids.map((id) => ({ id, vector: vector(id, v), payload: { v } })));
        for (const id of ids) latest.set(id, v);
        report.writes += ids.length;
      } catch {
        for (const id of ids) latest.set(id, undefined); // not acknowledged: value unknown
      }
    }
    running = false;
  };
  const searcher = async () => {
    while (running) {
      report.reads++;
      try {
        const result = await docs.search({ vectors: [vector(report.reads, 0)], topK: 5 });
        if (result.hits[0]?.length !== 5) report.failedReads++;
      } catch {
        report.failedReads++;
      }
    }
  };
  const getter = async () => {
    let i = 0;
    while (running) {
      report.reads++;
      const known = [...latest.keys()];
      const ids = Array.from({ length: 20 }, () => known[(i++ * 7919) % known.length] as number);
      const unique = [...new Set(ids)].filter((id) => latest.get(id) !== undefined);
      try {
        const points = await docs.get(unique);
        report.missingInGet += unique.length - points.length;
      } catch {
        report.failedReads++;
      }
    }
  };
  const load = Promise.all([writer(), searcher(), getter()]);
  try {
    await body();
  } finally {
    stopAt = report.writes + 100;
  }
  await load;
  return report;
}

/** Every point of every shard, scanned directly: each on exactly its owner, with its latest value. */
async function expectPlacedAndLatest(): Promise<void> {
  const map = mesh.topology.clusters[0]!.shardMap;
  const where = new Map<PointId, number[]>();
  for (const node of cluster.nodes) {
    // Its own client: the mesh closed the backend of a shard it removed.
    const backend = referenceBackend({ url: node.url });
    await backend.connect();
    let cursor: string | undefined;
    do {
      const page = await backend.scanIds(
        'docs',
        cursor === undefined ? { limit: 5000 } : { cursor, limit: 5000 },
      );
      for (const id of page.ids) where.set(id, [...(where.get(id) ?? []), node.shard]);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    await backend.close();
  }
  const twice = [...where.entries()].filter(([, on]) => on.length > 1);
  expect(twice).toEqual([]);
  const misplaced = [...where.entries()].filter(([id, on]) => map.shardFor(id) !== on[0]);
  expect(misplaced).toEqual([]);
  const acknowledged = [...latest.entries()].filter(([, v]) => v !== undefined);
  const docs = mesh.collection('docs');
  const stale: number[] = [];
  for (let i = 0; i < acknowledged.length; i += 500) {
    const part = acknowledged.slice(i, i + 500);
    const points = await docs.get(part.map(([id]) => id));
    const found = new Map(points.map((p) => [p.id, p.payload.v]));
    for (const [id, v] of part) if (found.get(id) !== v) stale.push(id);
  }
  expect(stale).toEqual([]);
  expect(acknowledged.length).toBeGreaterThan(INITIAL);
}

describe('online resharding of a reference-node cluster under load', () => {
  it('grows 3 -> 4 shards, interrupted and resumed from its checkpoint', async () => {
    const checkpoint = join(dir, 'grow.json');
    let resumed: Awaited<ReturnType<Mesh['reshard']>> | undefined;
    const load = await underLoad(async () => {
      const controller = new AbortController();
      let pages = 0;
      const first = mesh.reshard(
        { clusters: [shards(4)], sharding: { strategy: 'consistent-hash' } },
        {
          checkpoint,
          batchSize: 250,
          signal: controller.signal,
          onProgress: () => {
            if (++pages === 3) controller.abort();
          },
        },
      );
      await expect(first).rejects.toBeInstanceOf(AbortedError);
      expect(mesh.migrating).toBe(true);
      resumed = await mesh.reshard(
        { clusters: [shards(4)], sharding: { strategy: 'consistent-hash' } },
        { checkpoint, batchSize: 250 },
      );
    });
    expect(load.failedReads).toBe(0);
    expect(load.missingInGet).toBe(0);
    expect(load.reads).toBeGreaterThan(20);
    expect(resumed?.resumed).toBe(true);
    expect(resumed!.scanned).toBeLessThan(resumed!.total);
    expect(resumed!.expectedFraction).toBeCloseTo(0.25);
    expect(Math.abs(resumed!.movedFraction - 0.25)).toBeLessThan(0.06);
    expect(mesh.topology.clusters[0]!.shards).toHaveLength(4);
    await expectPlacedAndLatest();
  });

  it('shrinks 4 -> 3 shards', async () => {
    let report: Awaited<ReturnType<Mesh['reshard']>> | undefined;
    const load = await underLoad(async () => {
      report = await mesh.reshard(
        { clusters: [shards(3)], sharding: { strategy: 'consistent-hash' } },
        { batchSize: 250 },
      );
    });
    expect(load.failedReads).toBe(0);
    expect(load.missingInGet).toBe(0);
    expect(report!.expectedFraction).toBeCloseTo(0.25);
    expect(Math.abs(report!.movedFraction - 0.25)).toBeLessThan(0.06);
    expect(mesh.topology.clusters[0]!.shards).toHaveLength(3);
    await expectPlacedAndLatest();
  });
});

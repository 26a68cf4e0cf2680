/**
 * reshard on memory backends: refusals, growing and shrinking, dual writes and union reads while
 * paused, resuming from a checkpoint after a restart, and abortReshard.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  InvalidOptionError,
  InvalidTopologyError,
  createMesh,
  type Mesh,
  type PointId,
  type ReshardProgressEvent,
} from '../../../src/index.js';
import { DIMENSION, HoldBackend, allIds, cluster, vector } from './topology-change-fixture.js';

describe('reshard', () => {
  let backends: HoldBackend[];
  let mesh: Mesh;
  let dir: string;
  const N = 600;
  const from = () => cluster([[backends[0]!], [backends[1]!], [backends[2]!]]);
  const to = () => cluster([[backends[0]!], [backends[1]!], [backends[2]!], [backends[3]!]]);

  beforeEach(async () => {
    backends = [0, 1, 2, 3].map(() => new HoldBackend());
    dir = await mkdtemp(join(tmpdir(), 'vecmesh-reshard-'));
    mesh = createMesh({ clusters: [from()] });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'l2' });
    for (let i = 0; i < N; i += 200) {
      await docs.upsert(
        Array.from({ length: 200 }, (_, k) => ({
          id: i + k,
          vector: vector(i + k),
          payload: { v: 0 },
        })),
      );
    }
  });

  afterEach(async () => {
    await mesh.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every shard's ids: each id on exactly its owner, and the union is `expected`. */
  async function expectPlaced(m: Mesh, expected: PointId[]): Promise<void> {
    const map = m.topology.clusters[0]!.shardMap;
    const seen = new Map<string, number>();
    for (const [s, shard] of m.topology.clusters[0]!.shards.entries()) {
      for (const id of await allIds(shard.replicas[0]!.backend)) {
        expect(map.shardFor(id)).toBe(s);
        seen.set(String(id), (seen.get(String(id)) ?? 0) + 1);
      }
    }
    expect([...seen.keys()].sort()).toEqual(expected.map(String).sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }

  it('refuses bad next topologies, changing nothing', async () => {
    await expect(mesh.reshard({ clusters: [from()] })).rejects.toThrow(/nothing to migrate/);
    await expect(
      mesh.reshard({
        clusters: [to()],
        sharding: { strategy: 'range', boundaries: [100, 50, 200] },
      }),
    ).rejects.toBeInstanceOf(InvalidTopologyError);
    await expect(
      mesh.reshard({ clusters: [to(), { ...cluster([[new HoldBackend()]]), name: 'd' }] }),
    ).rejects.toThrow(/not supported yet/);
    await expect(
      mesh.reshard({
        clusters: [to()],
        sharding: { strategy: 'consistent-hash', key: { field: 'v' } },
      }),
    ).rejects.toThrow(/shard key changes/);
    // A kept shard whose replicas change.
    await expect(
      mesh.reshard({
        clusters: [cluster([[backends[0]!, backends[3]!], [backends[1]!], [backends[2]!]])],
      }),
    ).rejects.toThrow(/replicas change/);
    expect(mesh.topology.epoch).toBe(1);
    expect(mesh.migrating).toBe(false);
    expect(backends[3]!.calls).toEqual([]);
  });

  it('refuses a migration started twice', async () => {
    const held = backends[0]!.holdNext('get');
    const first = mesh.reshard({ clusters: [to()] });
    await held.entered;
    await expect(mesh.reshard({ clusters: [to()] })).rejects.toThrow(/started twice/);
    held.release();
    await expect(first).resolves.toMatchObject({ epoch: 2 });
  });

  it('grows 3 -> 4 shards: moves about 1/4, every point on exactly its new owner', async () => {
    const events: ReshardProgressEvent[] = [];
    mesh.events.on('reshardProgress', (e) => events.push(e));
    const report = await mesh.reshard({ clusters: [to()] }, { batchSize: 100 });
    expect(report.total).toBe(N);
    expect(report.expectedFraction).toBeCloseTo(1 / 4);
    expect(Math.abs(report.movedFraction - 0.25)).toBeLessThan(0.1);
    expect(report.moved).toBe(
      (await allIds(backends[3]!)).length, // every moved point landed on the new shard
    );
    expect(report.deleted).toBe(report.moved);
    expect(mesh.topology.epoch).toBe(2);
    expect(events.filter((e) => e.phase === 'copy').at(-1)?.total).toBe(N);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
  });

  it('dual-writes and reads both owners while paused, then resumes and loses nothing', async () => {
    const controller = new AbortController();
    const paused = mesh.reshard(
      { clusters: [to()] },
      {
        batchSize: 50,
        signal: controller.signal,
        onProgress: () => {
          controller.abort();
        },
      },
    );
    await expect(paused).rejects.toBeInstanceOf(AbortedError);
    expect(mesh.migrating).toBe(true);
    expect(mesh.topology.epoch).toBe(1);
    const docs = mesh.collection('docs');
    // Writes while paused: new points, new values, deletes.
    await docs.upsert(
      Array.from({ length: 100 }, (_, k) => ({
        id: N + k,
        vector: vector(N + k),
        payload: { v: 1 },
      })),
    );
    await docs.upsert(
      Array.from({ length: 50 }, (_, k) => ({ id: k, vector: vector(k), payload: { v: 2 } })),
    );
    await docs.delete([50, 51, 52]);
    // Points whose new owner is the new shard are already there (dual writes) and readable.
    const got = await docs.get([0, 1, N, N + 1, 50]);
    expect(got.map((p) => p.id)).toEqual([0, 1, N, N + 1]);
    expect(got[0]?.payload).toEqual({ v: 2 });
    const onNew = await allIds(backends[3]!);
    expect(onNew.length).toBeGreaterThan(0);
    // A search finds a point that so far only the new shard... and the old owners hold.
    const hit = await docs.search({ vectors: [vector(N + 5)], topK: 1 });
    expect(hit.hits[0]?.[0]?.id).toBe(N + 5);
    expect(await docs.count()).toBe(N + 100 - 3);

    const report = await mesh.reshard({ clusters: [to()] }, { batchSize: 50 });
    expect(report.resumed).toBe(true);
    expect(report.scanned).toBeLessThan(report.total);
    const expected = Array.from({ length: N + 100 }, (_, i) => i).filter((i) => i < 50 || i > 52);
    await expectPlaced(mesh, expected);
    const values = await docs.get(Array.from({ length: 50 }, (_, i) => i));
    expect(values.every((p) => p.payload.v === 2)).toBe(true);
  });

  it('resumes from its checkpoint in a new mesh (a restart), without rescanning', async () => {
    const checkpoint = join(dir, 'reshard.json');
    const controller = new AbortController();
    let pages = 0;
    await expect(
      mesh.reshard(
        { clusters: [to()] },
        {
          batchSize: 50,
          checkpoint,
          signal: controller.signal,
          onProgress: () => {
            if (++pages === 4) controller.abort();
          },
        },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    const saved = JSON.parse(await readFile(checkpoint, 'utf8')) as { total: number };
    expect(saved.total).toBeGreaterThan(0);
    expect(saved.total).toBeLessThan(N);
    // The process "restarts": a new mesh on the old topology, no writes before resuming.
    const again = createMesh({ clusters: [from()] });
    await again.connect();
    try {
      await expect(
        again.reshard(
          {
            clusters: [
              cluster(
                backends.map((b) => [b]),
                ['s0', 's1', 's2', 's9'],
              ),
            ],
          },
          { checkpoint },
        ),
      ).rejects.toThrow(/belongs to another migration/);
      const report = await again.reshard({ clusters: [to()] }, { batchSize: 50, checkpoint });
      expect(report.resumed).toBe(true);
      expect(report.total).toBe(N);
      expect(report.scanned).toBe(N - saved.total);
      await expectPlaced(
        again,
        Array.from({ length: N }, (_, i) => i),
      );
      await expect(readFile(checkpoint)).rejects.toThrow(/ENOENT/);
    } finally {
      await again.close();
    }
  });

  it('abortReshard returns to the old placement and removes the copies', async () => {
    const controller = new AbortController();
    await expect(
      mesh.reshard(
        { clusters: [to()] },
        {
          batchSize: 100,
          signal: controller.signal,
          onProgress: () => {
            controller.abort();
          },
        },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    await expect(
      mesh.reshard({ clusters: [cluster([[backends[0]!], [backends[1]!]])] }),
    ).rejects.toThrow(/another placement is paused/);
    await expect(mesh.updateTopology({ clusters: [from()] })).rejects.toThrow(/paused/);
    const deleted = await mesh.abortReshard();
    expect(deleted).toBeGreaterThan(0);
    expect(mesh.migrating).toBe(false);
    expect(mesh.topology.epoch).toBe(1);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
    await expect(mesh.abortReshard()).rejects.toThrow(/nothing to abort/);
  });

  it('abortReshard checks its checkpoint as reshard does, before looking for a paused migration', async () => {
    for (const options of [{ checkpoint: '' }, { checkpoint: 7 }]) {
      const error = await mesh.abortReshard(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toMatch(/`options.checkpoint` must be a file path/);
      await expect(mesh.reshard({ clusters: [to()] }, options as never)).rejects.toThrow(
        (error as Error).message,
      );
    }
    await expect(mesh.abortReshard({ batchSize: -1 })).rejects.toThrow(
      /`options.batchSize` must be an integer/,
    );
    expect(mesh.migrating).toBe(false);
    await expect(mesh.abortReshard()).rejects.toThrow(/nothing to abort/);
  });

  it('shrinks 4 -> 3 shards after growing, moving the new shard back', async () => {
    await mesh.reshard({ clusters: [to()] });
    const report = await mesh.reshard({ clusters: [from()] });
    expect(report.expectedFraction).toBeCloseTo(1 / 4);
    expect(report.moved).toBeGreaterThan(0);
    await expectPlaced(
      mesh,
      Array.from({ length: N }, (_, i) => i),
    );
    expect(mesh.topology.clusters[0]!.shards).toHaveLength(3);
  });
});

/**
 * A 3 x 2 cluster of real reference-node processes under a bounded read and write load while
 * replicas are killed with SIGKILL and restarted one at a time: zero failed reads, and after the
 * hints are replayed, no acknowledged write is missing on any replica.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type PointId } from '../../src/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';
import { drainHints, expectEveryReplicaHolds } from '../helpers/replicas-hold.js';

const DIMENSION = 8;
let dir: string;
let cluster: LocalCluster;
let mesh: Mesh;

function vector(i: number): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => Math.sin(i * 0.7 + d) + 1.1);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-acceptance-'));
  cluster = await startLocalCluster({ shards: 3, replicas: 2, dataDir: dir });
  mesh = createMesh({
    clusters: [cluster.topology],
    // Two replicas per shard: acknowledge at one, and hand the other its missed writes as hints.
    replication: { writeConsistency: 'one' },
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 50 },
    breaker: { resetTimeoutMs: 500 },
    health: { intervalMs: 100 },
    timeoutMs: 5000,
  });
  await mesh.connect();
});

afterAll(async () => {
  await mesh.close();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a 3 x 2 reference-node cluster with replicas killed and restarted', () => {
  it('serves every read and loses no acknowledged write', async () => {
    const docs = await mesh.createCollection('docs', {
      dimension: DIMENSION,
      metric: 'l2',
      index: { type: 'flat' },
    });
    const acknowledged: PointId[] = [];
    let next = 0;
    let failedReads = 0;
    let reads = 0;
    let writeErrors = 0;
    let running = true;
    // Resolved by the writer once `acknowledged` reaches a target: the test waits on real progress.
    let waiter: { target: number; resolve: () => void } | undefined;
    const progressed = () => {
      if (waiter && acknowledged.length >= waiter.target) {
        waiter.resolve();
        waiter = undefined;
      }
    };

    const writer = async () => {
      while (running) {
        const batch = Array.from({ length: 20 }, () => {
          const id = next++;
          return { id, vector: vector(id), payload: { n: id } };
        });
        try {
          await docs.upsert(batch);
          acknowledged.push(...batch.map((p) => p.id));
          progressed();
        } catch {
          writeErrors++; // not acknowledged: allowed, but counted
        }
      }
    };
    const reader = async () => {
      while (running) {
        reads++;
        try {
          await docs.search({ vectors: [vector(reads)], topK: 5 });
        } catch {
          failedReads++;
        }
      }
    };
    let handedOff = 0;
    let breakerOpened = 0;
    mesh.events.on('hint', (e) => {
      if (e.action === 'stored') handedOff += e.count;
    });
    mesh.events.on('breaker', (e) => {
      if (e.state === 'open') breakerOpened++;
    });
    const load = Promise.all([writer(), reader(), reader()]);

    // Kill and restart each replica in turn, each after some acknowledged writes.
    const waitForWrites = (count: number) =>
      new Promise<void>((resolve) => {
        waiter = { target: acknowledged.length + count, resolve };
      });
    await waitForWrites(200);
    for (const [shard, replica] of [
      [0, 0],
      [1, 1],
      [2, 0],
      [0, 1],
    ] as const) {
      await cluster.kill(shard, replica);
      await waitForWrites(200);
      await cluster.restart(shard, replica);
      await waitForWrites(100);
    }
    running = false;
    await load;

    expect(reads).toBeGreaterThan(100);
    expect(failedReads).toBe(0);
    // The failures were real: killed replicas missed writes and their breakers opened.
    expect(handedOff).toBeGreaterThan(0);
    expect(breakerOpened).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(1000);

    // Replay what the killed replicas missed, then check every replica of every shard.
    await drainHints(mesh);
    await expectEveryReplicaHolds(mesh, cluster, 'docs', acknowledged);
    expect(writeErrors).toBeLessThan(acknowledged.length / 10);
  });
});

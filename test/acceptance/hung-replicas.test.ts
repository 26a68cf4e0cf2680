/**
 * A 2 x 3 cluster of real reference-node processes under a read and write stream while one
 * replica of each shard is frozen with SIGSTOP (it keeps its sockets open and answers nothing,
 * as a hung server does), then let run again: zero failed reads and writes, reads during the
 * hang stay within a bound far below the hang, and afterwards every acknowledged write is on
 * every replica.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh, type PointId } from '../../src/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';
import { drainHints, expectEveryReplicaHolds } from '../helpers/replicas-hold.js';

const DIMENSION = 8;
/** How long the two replicas stay frozen: far longer than any attempt timeout or hedge. */
const HANG_MS = 4000;
let dir: string;
let cluster: LocalCluster;
let mesh: Mesh;

function vector(i: number): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => Math.sin(i * 0.7 + d) + 1.1);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecmesh-hung-'));
  cluster = await startLocalCluster({ shards: 2, replicas: 3, dataDir: dir });
  // Default resilience settings (hedging, attempt timeouts): what a user gets.
  mesh = createMesh({
    clusters: [cluster.topology],
    replication: { writeConsistency: 'quorum' },
  });
  await mesh.connect();
});

afterAll(async () => {
  await mesh.close();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a 2 x 3 reference-node cluster with one replica of each shard frozen (SIGSTOP)', () => {
  it('serves every read and write without waiting for the hung replicas, and loses nothing', async () => {
    const docs = await mesh.createCollection('docs', {
      dimension: DIMENSION,
      metric: 'l2',
      index: { type: 'flat' },
    });
    const acknowledged: PointId[] = [];
    const phase = { name: 'healthy' as 'healthy' | 'hung' | 'after' };
    const readMs = { healthy: [] as number[], hung: [] as number[], after: [] as number[] };
    const writeMs = { healthy: [] as number[], hung: [] as number[], after: [] as number[] };
    let next = 0;
    let failedReads = 0;
    let failedWrites = 0;
    let running = true;

    const writer = async () => {
      while (running) {
        const batch = Array.from({ length: 10 }, () => {
          const id = next++;
          return { id, vector: vector(id), payload: { n: id } };
        });
        const started = performance.now();
        const during = phase.name;
        try {
          await docs.upsert(batch);
          writeMs[during].push(performance.now() - started);
          acknowledged.push(...batch.map((p) => p.id));
        } catch {
          failedWrites++;
        }
      }
    };
    const reader = async (seed: number) => {
      for (let i = seed; running; i += 2) {
        const started = performance.now();
        const during = phase.name;
        try {
          await docs.search({ vectors: [vector(i)], topK: 5 });
          readMs[during].push(performance.now() - started);
        } catch {
          failedReads++;
        }
      }
    };
    const progress = (reads: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (readMs[phase.name].length >= reads) resolve();
          else setImmediate(check);
        };
        check();
      });
    const load = Promise.all([writer(), reader(0), reader(1)]);

    await progress(300);
    phase.name = 'hung';
    cluster.pause(0, 0);
    cluster.pause(1, 1);
    // The hang lasts HANG_MS (the fault's length, not a wait for something to happen) and at
    // least until the readers have made progress through it.
    await Promise.all([new Promise((r) => setTimeout(r, HANG_MS)), progress(100)]);
    cluster.resume(0, 0);
    cluster.resume(1, 1);
    phase.name = 'after';
    await progress(100);
    running = false;
    await load;

    const report = {
      reads: { healthyP99: percentile(readMs.healthy, 99), hungP99: percentile(readMs.hung, 99) },
      writes: {
        healthyP99: percentile(writeMs.healthy, 99),
        hungP99: percentile(writeMs.hung, 99),
      },
      readsDuringHang: readMs.hung.length,
      writesDuringHang: writeMs.hung.length,
    };
    console.log('hung replicas:', JSON.stringify(report));
    expect(failedReads).toBe(0);
    expect(failedWrites).toBe(0);
    expect(readMs.hung.length).toBeGreaterThanOrEqual(100);
    expect(writeMs.hung.length).toBeGreaterThan(0);
    // Bounded: no read or write during the hang waited for it.
    expect(Math.max(...readMs.hung)).toBeLessThan(HANG_MS / 2);
    expect(Math.max(...writeMs.hung)).toBeLessThan(HANG_MS / 2);

    // Every acknowledged write reaches every replica once the hung ones have their hints.
    await drainHints(mesh);
    await expectEveryReplicaHolds(mesh, cluster, 'docs', acknowledged);
  });
});

/**
 * availability: real reference-node processes under faults, side by side in one run.
 * 1. Hint replay: a replica killed while 3000 points (1500 with --quick) are written to its
 *    shard, in writes of 1 and of 10 points; restarted, its hints are replayed: points/s.
 * 2. A hung replica: a 2 x 3 cluster (quorum writes) under one writer and two readers; one
 *    replica of each shard frozen with SIGSTOP for 4 s. Read and write p50/p99 while healthy
 *    and while hung, their ratios, and failed reads and writes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, type Collection, type Mesh, type MeshOptions } from '../../src/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/node/local-cluster.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 64;

/** A local cluster in a temporary folder, a connected mesh over it and a flat collection. */
interface Fixture {
  readonly cluster: LocalCluster;
  readonly mesh: Mesh;
  readonly docs: Collection;
}

/** Runs `body` on a fresh {@link Fixture}, then closes the mesh, stops the nodes and cleans up. */
async function withCluster<T>(
  layout: { shards: number; replicas: number },
  options: Omit<MeshOptions, 'clusters'>,
  body: (fixture: Fixture) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vecmesh-bench-availability-'));
  const cluster = await startLocalCluster({ ...layout, dataDir: dir });
  const mesh = createMesh({ ...options, clusters: [cluster.topology] });
  try {
    await mesh.connect();
    const docs = await mesh.createCollection('bench', {
      dimension: DIMENSION,
      metric: 'l2',
      index: { type: 'flat' },
    });
    return await body({ cluster, mesh, docs });
  } finally {
    await mesh.close().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function availability(args: BenchArgs): Promise<Record<string, unknown>> {
  const replay = [];
  for (const pointsPerWrite of [1, 10]) {
    replay.push(await hintReplay(args.quick ? 1500 : 3000, pointsPerWrite));
  }
  printTable('availability: hint replay to a restarted reference node', replay);
  const hung = await hungReplica(args.quick ? 2000 : 4000);
  printTable('availability: one replica of each of 2 shards frozen (SIGSTOP)', [hung]);
  return { replay, hung };
}

async function hintReplay(points: number, pointsPerWrite: number): Promise<Record<string, number>> {
  const options = {
    replication: { writeConsistency: 'one' },
    health: { intervalMs: 3_600_000 },
    retry: { retries: 0 },
  } as const;
  return withCluster({ shards: 1, replicas: 2 }, options, async ({ cluster, mesh, docs }) => {
    const vectors = randomVectors(points, DIMENSION, 11);
    await cluster.kill(0, 1);
    for (let i = 0; i < points; i += pointsPerWrite) {
      await docs.upsert(
        vectors
          .slice(i, i + pointsPerWrite)
          .map((vector, k) => ({ id: i + k, vector: [...vector], payload: { n: i + k } })),
      );
    }
    await mesh.flushHints(); // the late hand-offs are stored; the replica is still down
    const hints = mesh.pendingHints();
    await cluster.restart(0, 1);
    await mesh.checkHealth();
    const started = nowMs();
    while (mesh.pendingHints() > 0) await mesh.flushHints();
    const ms = nowMs() - started;
    return {
      points,
      points_per_write: pointsPerWrite,
      hints,
      replay_ms: round(ms, 1),
      points_per_s: round((points * 1000) / ms, 0),
    };
  });
}

async function hungReplica(hangMs: number): Promise<Record<string, number>> {
  const options = { replication: { writeConsistency: 'quorum' } } as const;
  return withCluster({ shards: 2, replicas: 3 }, options, async ({ cluster, docs }) => {
    const vectors = randomVectors(2000, DIMENSION, 12);
    const reads = { healthy: [] as number[], hung: [] as number[] };
    const writes = { healthy: [] as number[], hung: [] as number[] };
    const state = { phase: 'warmup' as 'warmup' | 'healthy' | 'hung' | 'done', next: 0 };
    let failedReads = 0;
    let failedWrites = 0;
    const record = (into: typeof reads, ms: number): void => {
      if (state.phase === 'healthy' || state.phase === 'hung') into[state.phase].push(ms);
    };
    const writer = async (): Promise<void> => {
      while (state.phase !== 'done') {
        const at = state.next;
        state.next += 10;
        const t = nowMs();
        try {
          await docs.upsert(
            Array.from({ length: 10 }, (_, k) => ({
              id: at + k,
              vector: [...vectors[(at + k) % vectors.length]!],
            })),
          );
          record(writes, nowMs() - t);
        } catch {
          failedWrites++;
        }
      }
    };
    const reader = async (seed: number): Promise<void> => {
      for (let n = seed; state.phase !== 'done'; n += 2) {
        const t = nowMs();
        try {
          await docs.search({ vectors: [vectors[n % vectors.length]!], topK: 10 });
          record(reads, nowMs() - t);
        } catch {
          failedReads++;
        }
      }
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const load = Promise.all([writer(), reader(0), reader(1)]);
    await sleep(1000);
    state.phase = 'healthy';
    await sleep(hangMs);
    state.phase = 'hung';
    cluster.pause(0, 0);
    cluster.pause(1, 1);
    await sleep(hangMs);
    cluster.resume(0, 0);
    cluster.resume(1, 1);
    state.phase = 'done';
    await load;
    const p = (values: number[], q: number) => round(quantile(values, q), 1);
    return {
      hang_ms: hangMs,
      read_p50_healthy_ms: p(reads.healthy, 0.5),
      read_p99_healthy_ms: p(reads.healthy, 0.99),
      read_p50_hung_ms: p(reads.hung, 0.5),
      read_p99_hung_ms: p(reads.hung, 0.99),
      read_p99_ratio: round(quantile(reads.hung, 0.99) / quantile(reads.healthy, 0.99), 2),
      write_p99_healthy_ms: p(writes.healthy, 0.99),
      write_p99_hung_ms: p(writes.hung, 0.99),
      write_p99_ratio: round(quantile(writes.hung, 0.99) / quantile(writes.healthy, 0.99), 2),
      reads_hung: reads.hung.length,
      writes_hung: writes.hung.length,
      failed_reads: failedReads,
      failed_writes: failedWrites,
    };
  });
}

/**
 * reshard: a local cluster of reference-node processes (3 -> 4 shards, consistent-hash,
 * 20k x 64 points; 4k with --quick) migrated online while a search stream runs. Reports the
 * moved fraction against theory (1/4), migration throughput, and search p50/p99 before the
 * migration and during it, side by side in one run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, type ClusterOptions } from '../../src/index.js';
import { startLocalCluster } from '../../src/node/local-cluster.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 64;

export async function reshard(args: BenchArgs): Promise<Record<string, unknown>> {
  const points = args.quick ? 4000 : 20_000;
  const dir = await mkdtemp(join(tmpdir(), 'vecmesh-bench-reshard-'));
  const cluster = await startLocalCluster({ shards: 4, replicas: 1, fsync: false });
  const shards = (n: number): ClusterOptions => ({
    ...cluster.topology,
    shards: cluster.topology.shards.slice(0, n),
  });
  const sharding = { strategy: 'consistent-hash' } as const;
  const mesh = createMesh({ clusters: [shards(3)], sharding, timeoutMs: 30_000 });
  try {
    await mesh.connect();
    const docs = await mesh.createCollection('bench', {
      dimension: DIMENSION,
      metric: 'l2',
      index: { type: 'flat' },
    });
    const vectors = randomVectors(points, DIMENSION, 7);
    for (let i = 0; i < points; i += 1000) {
      await docs.upsert(
        vectors.slice(i, i + 1000).map((vector, k) => ({ id: i + k, vector: [...vector] })),
      );
    }
    const queries = randomVectors(200, DIMENSION, 8);
    const search = async (n: number): Promise<number> => {
      const t = nowMs();
      await docs.search({ vectors: [queries[n % queries.length]!], topK: 10 });
      return nowMs() - t;
    };

    // Before: a fixed number of searches on the idle 3-shard cluster.
    const before: number[] = [];
    for (let n = 0; n < (args.quick ? 200 : 500); n++) before.push(await search(n));

    // During: the same search stream, every search started while the migration runs.
    const during: number[] = [];
    const state = { migrating: true };
    const stream = (async () => {
      for (let n = 0; state.migrating; n++) during.push(await search(n));
    })();
    const report = await mesh.reshard({ clusters: [shards(4)], sharding }, { batchSize: 500 });
    state.migrating = false;
    await stream;

    const figures = {
      points,
      moved: report.moved,
      moved_fraction: round(report.movedFraction, 4),
      theory: round(report.expectedFraction ?? Number.NaN, 4),
      migration_ms: round(report.durationMs, 1),
      points_per_s: round(report.pointsPerSecond, 0),
      moved_per_s: round((report.moved * 1000) / report.durationMs, 0),
      search_p50_before_ms: round(quantile(before, 0.5)),
      search_p99_before_ms: round(quantile(before, 0.99)),
      search_p50_during_ms: round(quantile(during, 0.5)),
      search_p99_during_ms: round(quantile(during, 0.99)),
      searches_during: during.length,
    };
    printTable('reshard: 3 -> 4 reference nodes, consistent-hash, search stream running', [
      figures,
    ]);
    return figures;
  } finally {
    await mesh.close().catch(() => undefined);
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

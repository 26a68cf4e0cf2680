/**
 * ingest: siftsmall into a 3 x 2 local reference-node cluster through the mesh in batches,
 * against the same points sent one by one through the mesh, and against batches sent straight to
 * one node. Every node flushes its log to disk before acknowledging (fsync on).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceBackend } from '../../src/backends/reference/index.js';
import { createMesh, type Point } from '../../src/index.js';
import { startLocalCluster } from '../../src/node/local-cluster.js';
import { loadSiftSmall } from '../lib/siftsmall.js';
import { nowMs, printTable, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

export async function ingest(args: BenchArgs): Promise<Record<string, unknown>> {
  const data = loadSiftSmall(args.dataset);
  const total = args.quick ? 2000 : data.base.length;
  const oneByOne = args.quick ? 100 : 500;
  const points: Point[] = data.base.slice(0, total).map((vector, id) => ({ id, vector }));
  const dir = await mkdtemp(join(tmpdir(), 'vecmesh-ingest-'));
  const cluster = await startLocalCluster({
    shards: 3,
    replicas: 2,
    dataDir: join(dir, 'cluster'),
  });
  const single = await startLocalCluster({ shards: 1, replicas: 1, dataDir: join(dir, 'single') });
  const mesh = createMesh({
    clusters: [cluster.topology],
    batch: { maxPoints: 1000, concurrency: 4 },
    timeoutMs: 120_000,
  });
  const direct = referenceBackend({ url: single.nodes[0]!.url });
  try {
    await mesh.connect();
    await direct.connect();
    const spec = { dimension: 128, metric: 'l2', index: { type: 'hnsw' } } as const;
    const batched = await mesh.createCollection('batched', spec);
    const slow = await mesh.createCollection('slow', spec);
    await direct.createCollection('direct', spec);

    let t = nowMs();
    await batched.upsert(points);
    const batchedPps = total / ((nowMs() - t) / 1000);

    t = nowMs();
    for (const point of points.slice(0, oneByOne)) await slow.upsert([point]);
    const oneByOnePps = oneByOne / ((nowMs() - t) / 1000);

    t = nowMs();
    for (let i = 0; i < total; i += 1000) await direct.upsert('direct', points.slice(i, i + 1000));
    const directPps = total / ((nowMs() - t) / 1000);

    printTable(`ingest: siftsmall (${total} x 128) with fsync, 3 x 2 cluster vs one node`, [
      {
        path: 'mesh, batches of 1000, 3 shards x 2 replicas',
        points_per_s: Math.round(batchedPps),
      },
      {
        path: `mesh, one point per call (${oneByOne} points)`,
        points_per_s: Math.round(oneByOnePps),
      },
      { path: 'one node directly, batches of 1000', points_per_s: Math.round(directPps) },
    ]);
    return {
      points: total,
      batched_pps: Math.round(batchedPps),
      one_by_one_pps: Math.round(oneByOnePps),
      direct_pps: Math.round(directPps),
      batched_vs_one_by_one: round(batchedPps / oneByOnePps, 1),
      mesh_vs_direct: round(batchedPps / directPps),
    };
  } finally {
    await mesh.close();
    await direct.close();
    await cluster.stop();
    await single.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * recall: siftsmall sharded over 1, 2, 4 and 8 shards with every strategy, exact search through
 * the mesh, recall@10 against the data set's ground truth. Sharding must not lose neighbours:
 * the merged top-10 of exact per-shard searches is the global exact top-10.
 */
import { memoryBackend } from '../../src/backends/memory/index.js';
import { createMesh, type ShardingOptions } from '../../src/index.js';
import { loadSiftSmall } from '../lib/siftsmall.js';
import { printTable, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const SHARD_COUNTS = [1, 2, 4, 8];

function strategies(shards: number, total: number): Record<string, ShardingOptions> {
  const boundaries = Array.from({ length: shards - 1 }, (_, i) =>
    Math.round(((i + 1) * total) / shards),
  );
  const all: Record<string, ShardingOptions> = {
    hash: { strategy: 'hash' },
    'consistent-hash': { strategy: 'consistent-hash', virtualNodes: 160 },
    jump: { strategy: 'jump' },
    rendezvous: { strategy: 'rendezvous' },
  };
  if (shards > 1) all.range = { strategy: 'range', boundaries };
  return all;
}

export async function recall(args: BenchArgs): Promise<Record<string, unknown>> {
  const data = loadSiftSmall(args.dataset);
  const points = data.base.map((vector, id) => ({ id, vector }));
  const rows: Record<string, string | number>[] = [];
  let lowest = 1;
  for (const shards of SHARD_COUNTS) {
    for (const [name, sharding] of Object.entries(strategies(shards, points.length))) {
      const mesh = createMesh({
        clusters: [
          {
            name: 'recall',
            shards: Array.from({ length: shards }, (_, s) => ({
              replicas: [{ backend: memoryBackend({ name: `recall-${name}-${shards}-${s}` }) }],
            })),
          },
        ],
        sharding,
        timeoutMs: 60_000,
      });
      await mesh.connect();
      const col = await mesh.createCollection('sift', { dimension: 128, metric: 'l2' });
      await col.upsert(points);
      const { hits } = await col.search({
        vectors: data.queries,
        topK: 10,
        includePayload: false,
        params: { exact: true },
      });
      let found = 0;
      hits.forEach((list, q) => {
        const truth = new Set(Array.from(data.groundTruth[q]!.subarray(0, 10)));
        for (const hit of list) if (truth.has(hit.id as number)) found++;
      });
      const r = found / (data.queries.length * 10);
      lowest = Math.min(lowest, r);
      rows.push({ shards, strategy: name, recall_at_10: round(r, 4) });
      await mesh.close();
    }
  }
  printTable('recall@10, siftsmall, exact search through the mesh', rows);
  return { recall_at_10: round(lowest, 4), runs: rows.length, queries: data.queries.length };
}

/**
 * fanout: 8 shards, each answering every search in a fixed 5 ms; the mesh asks them in parallel,
 * so a search should take about 5 ms end to end, not 8 x 5.
 */
import { memoryBackend } from '../../src/backends/memory/index.js';
import { createMesh } from '../../src/index.js';
import { FaultyBackend } from '../../src/testing/index.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const SHARDS = 8;
const SHARD_MS = 5;
const DIMENSION = 32;

export async function fanout(args: BenchArgs): Promise<Record<string, unknown>> {
  const reads = args.quick ? 100 : 500;
  const mesh = createMesh({
    clusters: [
      {
        name: 'bench',
        shards: Array.from({ length: SHARDS }, (_, s) => ({
          replicas: [
            {
              backend: new FaultyBackend(memoryBackend({ name: `fanout-${s}` }), {
                latency: { kind: 'fixed', ms: SHARD_MS },
                methods: ['search'],
              }),
            },
          ],
        })),
      },
    ],
  });
  await mesh.connect();
  const docs = await mesh.createCollection('bench', { dimension: DIMENSION, metric: 'l2' });
  // 100 points a shard: the backends' own search work stays small next to their 5 ms.
  const vectors = randomVectors(SHARDS * 100, DIMENSION, 5);
  await docs.upsert(vectors.map((vector, id) => ({ id, vector })));
  // The floor: one 5 ms backend called directly (Node's timers fire 0-1 ms late).
  const alone = new FaultyBackend(memoryBackend({ name: 'fanout-alone' }), {
    latency: { kind: 'fixed', ms: SHARD_MS },
    methods: ['search'],
  });
  await alone.connect();
  await alone.createCollection('bench', { dimension: DIMENSION, metric: 'l2' });
  // The same share of the data as one shard of the mesh.
  await alone.upsert(
    'bench',
    vectors.slice(0, 100).map((vector, id) => ({ id, vector })),
  );
  const times: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < reads; i++) {
    let t = nowMs();
    await docs.search({ vectors: [vectors[i % vectors.length]!], topK: 10 });
    times.push(nowMs() - t);
    t = nowMs();
    await alone.search('bench', {
      vectors: [vectors[i % vectors.length]!],
      topK: 10,
      includePayload: true,
      includeVector: false,
    });
    direct.push(nowMs() - t);
  }
  await mesh.close();
  await alone.close();
  const p50 = quantile(times, 0.5);
  const directP50 = quantile(direct, 0.5);
  printTable(`fanout: ${SHARDS} shards x ${SHARD_MS} ms each, ${reads} searches`, [
    {
      path: 'one 5 ms backend, direct',
      p50_ms: round(directP50),
      p99_ms: round(quantile(direct, 0.99)),
    },
    {
      path: `mesh over ${SHARDS} shards`,
      p50_ms: round(p50),
      p99_ms: round(quantile(times, 0.99)),
    },
  ]);
  return {
    shards: SHARDS,
    shard_latency_ms: SHARD_MS,
    p50_ms: round(p50),
    p99_ms: round(quantile(times, 0.99)),
    single_backend_p50_ms: round(directP50),
    fanout_added_p50_ms: round(p50 - directP50),
  };
}

/**
 * overhead: what the mesh costs per search.
 *
 * 1. A MemoryBackend with 10k x 128 vectors, searched through a 1-shard 1-replica mesh and
 *    directly, alternating call by call so that both see the same machine noise: p50 of each and
 *    their ratio.
 * 2. A backend that does no work, through the mesh and directly: the p50 difference is what the
 *    mesh itself adds per call (validation, routing, deadline, merge).
 */
import { memoryBackend } from '../../src/backends/memory/index.js';
import type { VectorBackend } from '../../src/backends/backend.js';
import { createMesh } from '../../src/index.js';
import { NullBackend } from '../lib/null-backend.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 128;

async function sideBySide(
  backend: VectorBackend,
  queries: Float32Array[],
  iterations: number,
): Promise<{ mesh: number[]; direct: number[] }> {
  // The resilience features are on: latency-aware balancing, breakers, the retry loop, health
  // probes, hints, and tracing (a no-op without an SDK). Hedging is configured but idle: it needs
  // a second replica. The result cache is off (it would answer the repeated queries itself) and
  // metrics go to the default no-op sink (`npm run bench -- metrics` measures the Prometheus one).
  const mesh = createMesh({
    clusters: [{ name: 'bench', shards: [{ replicas: [{ backend }] }] }],
    balancing: 'p2c-ewma',
    hedging: { afterMs: 50 },
  });
  await mesh.connect();
  const docs = mesh.collection('bench');
  const request = { topK: 10, includePayload: true, includeVector: false } as const;
  const meshTimes: number[] = [];
  const directTimes: number[] = [];
  const warmup = Math.min(200, iterations);
  for (let i = 0; i < iterations + warmup; i++) {
    const q = queries[i % queries.length]!;
    let t = nowMs();
    await docs.search({ vectors: [q], ...request });
    const meshMs = nowMs() - t;
    t = nowMs();
    await backend.search('bench', { vectors: [q], ...request });
    const directMs = nowMs() - t;
    if (i >= warmup) {
      meshTimes.push(meshMs);
      directTimes.push(directMs);
    }
  }
  await mesh.close();
  return { mesh: meshTimes, direct: directTimes };
}

export async function overhead(args: BenchArgs): Promise<Record<string, unknown>> {
  const points = args.quick ? 2_000 : 10_000;
  const searchIterations = args.quick ? 300 : 2_000;
  const nullIterations = args.quick ? 3_000 : 20_000;

  const memory = memoryBackend({ name: 'overhead' });
  await memory.connect();
  await memory.createCollection('bench', { dimension: DIMENSION, metric: 'cosine' });
  const vectors = randomVectors(points, DIMENSION, 1);
  for (let i = 0; i < points; i += 1000) {
    await memory.upsert(
      'bench',
      vectors.slice(i, i + 1000).map((vector, j) => ({ id: i + j, vector, payload: { n: i + j } })),
    );
  }
  const queries = randomVectors(100, DIMENSION, 2);
  const loaded = await sideBySide(memory, queries, searchIterations);

  const zero = new NullBackend('null://overhead');
  await zero.createCollection('bench', { dimension: DIMENSION, metric: 'cosine' });
  const empty = await sideBySide(zero, queries, nullIterations);

  const meshP50 = quantile(loaded.mesh, 0.5);
  const directP50 = quantile(loaded.direct, 0.5);
  const addedUs = (quantile(empty.mesh, 0.5) - quantile(empty.direct, 0.5)) * 1000;
  printTable(
    `overhead: search, ${points} x ${DIMENSION} memory backend, topK 10 (${searchIterations} calls each)`,
    [
      { path: 'direct', p50_ms: round(directP50), p99_ms: round(quantile(loaded.direct, 0.99)) },
      { path: 'mesh', p50_ms: round(meshP50), p99_ms: round(quantile(loaded.mesh, 0.99)) },
    ],
  );
  printTable(`overhead: zero-work backend (${nullIterations} calls each)`, [
    { path: 'direct', p50_us: round(quantile(empty.direct, 0.5) * 1000, 2) },
    { path: 'mesh', p50_us: round(quantile(empty.mesh, 0.5) * 1000, 2) },
  ]);
  const figures = {
    points,
    dimension: DIMENSION,
    mesh_p50_ms: round(meshP50),
    direct_p50_ms: round(directP50),
    ratio: round(meshP50 / directP50),
    added_us_p50: round(addedUs, 2),
  };
  process.stdout.write(
    `\nratio (mesh p50 / direct p50): ${figures.ratio}; added per call: ${figures.added_us_p50} us\n`,
  );
  return figures;
}

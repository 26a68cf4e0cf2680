/**
 * hedging: two replicas of one shard, one with a heavy tail (10% of its requests take 50 ms
 * more), read in turn (round-robin), without and with hedged reads, side by side in one run.
 * Reports p50/p99 of each, the p99 ratio, and the extra requests hedging sent.
 *
 * The headline figures add nothing but the tail to the replicas' own (sub-millisecond) latency.
 * A second set gives both replicas a 1 ms base latency as well: there Node's 1 ms timer
 * granularity (a 1 ms timer fires after 1-2 ms) sets the floor of a hedged request.
 */
import { memoryBackend } from '../../src/backends/memory/index.js';
import { createMesh, type HedgingOptions } from '../../src/index.js';
import { FaultyBackend } from '../../src/testing/index.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 32;

async function run(reads: number, hedging: HedgingOptions | undefined, baseMs: number) {
  const tail = new FaultyBackend(memoryBackend({ name: 'hedge-tail' }), {
    seed: 7,
    latency: { kind: 'tail', baseMs, probability: 0.1, extraMs: 50 },
    methods: ['search'],
  });
  const steady = new FaultyBackend(memoryBackend({ name: 'hedge-steady' }), {
    seed: 8,
    latency: { kind: 'fixed', ms: baseMs },
    methods: ['search'],
  });
  const mesh = createMesh({
    clusters: [{ name: 'bench', shards: [{ replicas: [{ backend: tail }, { backend: steady }] }] }],
    balancing: 'round-robin',
    ...(hedging ? { hedging } : {}),
  });
  await mesh.connect();
  const docs = await mesh.createCollection('bench', { dimension: DIMENSION, metric: 'cosine' });
  const vectors = randomVectors(1000, DIMENSION, 3);
  await docs.upsert(vectors.map((vector, id) => ({ id, vector })));
  let hedges = 0;
  mesh.events.on('hedge', () => hedges++);
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const t = nowMs();
    await docs.search({ vectors: [vectors[i % vectors.length]!], topK: 10 });
    times.push(nowMs() - t);
  }
  const sent = (tail.stats.byMethod.search ?? 0) + (steady.stats.byMethod.search ?? 0);
  await mesh.close();
  return { times, hedges, sent };
}

export async function hedging(args: BenchArgs): Promise<Record<string, unknown>> {
  const reads = args.quick ? 400 : 2000;
  const plain = await run(reads, undefined, 0);
  const fixed = await run(reads, { afterMs: 2 }, 0);
  const adaptive = await run(reads, { percentile: 90, minAfterMs: 2 }, 0);
  const plainBase = await run(reads, undefined, 1);
  const fixedBase = await run(reads, { afterMs: 2 }, 1);
  const row = (name: string, r: typeof plain) => ({
    config: name,
    p50_ms: round(quantile(r.times, 0.5)),
    p99_ms: round(quantile(r.times, 0.99)),
    requests: r.sent,
    extra_pct: round(((r.sent - reads) / reads) * 100, 2),
  });
  printTable(`hedging: ${reads} reads, replica A has a 10% +50 ms tail, replica B is steady`, [
    row('no hedging', plain),
    row('hedge after 2 ms', fixed),
    row('hedge after p90', adaptive),
    row('1 ms base, no hedging', plainBase),
    row('1 ms base, hedge after 2 ms', fixedBase),
  ]);
  const p99 = (r: typeof plain) => quantile(r.times, 0.99);
  return {
    reads,
    p99_without_ms: round(p99(plain)),
    p99_with_ms: round(p99(fixed)),
    p99_ratio: round(p99(fixed) / p99(plain)),
    extra_requests_pct: round(((fixed.sent - reads) / reads) * 100, 2),
    p99_ratio_percentile: round(p99(adaptive) / p99(plain)),
    extra_requests_pct_percentile: round(((adaptive.sent - reads) / reads) * 100, 2),
    p99_ratio_base_1ms: round(p99(fixedBase) / p99(plainBase)),
    extra_requests_pct_base_1ms: round(((fixedBase.sent - reads) / reads) * 100, 2),
  };
}

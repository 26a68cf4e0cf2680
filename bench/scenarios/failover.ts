/**
 * failover: a read stream over 2 clusters x 3 shards x 2 replicas (1 ms per request). Partway
 * through, one replica is cut off; later the whole preferred cluster is. Reports failed reads
 * (target 0: a replica of every shard stays reachable), how long the dead replica kept being
 * sent reads, and what the first read after the cluster failure cost over the median.
 */
import { memoryBackend } from '../../src/backends/memory/index.js';
import { createMesh } from '../../src/index.js';
import { FaultyBackend } from '../../src/testing/index.js';
import { nowMs, printTable, quantile, randomVectors, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 16;

export async function failover(args: BenchArgs): Promise<Record<string, unknown>> {
  const phaseMs = args.quick ? 400 : 1500;
  const backends: FaultyBackend[][][] = [];
  const clusters = ['primary', 'standby'].map((name, c) => {
    const shards: FaultyBackend[][] = [];
    backends.push(shards);
    return {
      name,
      shards: [0, 1, 2].map((s) => {
        const replicas = [0, 1].map(
          (r) =>
            new FaultyBackend(memoryBackend({ name: `failover-${c}-${s}-${r}` }), {
              latency: { kind: 'fixed', ms: 1 },
              methods: ['search'],
            }),
        );
        shards.push(replicas);
        return { replicas: replicas.map((backend) => ({ backend })) };
      }),
    };
  });
  const mesh = createMesh({
    clusters,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 20 },
    breaker: { volumeThreshold: 3, errorThresholdPercentage: 25, resetTimeoutMs: 60_000 },
    health: { intervalMs: 250 },
  });
  await mesh.connect();
  const docs = await mesh.createCollection('bench', { dimension: DIMENSION, metric: 'l2' });
  const vectors = randomVectors(600, DIMENSION, 11);
  await docs.upsert(vectors.map((vector, id) => ({ id, vector })));
  let failovers = 0;
  mesh.events.on('failover', () => failovers++);

  const dead = backends[0]![0]![0]!;
  const start = nowMs();
  let reads = 0;
  let failed = 0;
  let replicaDownAt = Number.NaN;
  let lastSentToDead = Number.NaN;
  let deadCalls = 0;
  let clusterDownAt = Number.NaN;
  let firstAfterClusterDown = Number.NaN;
  const steady: number[] = [];
  while (nowMs() - start < phaseMs * 3) {
    const elapsed = nowMs() - start;
    if (Number.isNaN(replicaDownAt) && elapsed >= phaseMs) {
      dead.partition();
      replicaDownAt = nowMs();
      deadCalls = dead.stats.byMethod.search ?? 0;
    }
    if (Number.isNaN(clusterDownAt) && elapsed >= phaseMs * 2) {
      for (const shard of backends[0]!) for (const b of shard) b.partition();
      clusterDownAt = nowMs();
    }
    const t = nowMs();
    try {
      await docs.search({ vectors: [vectors[reads % vectors.length]!], topK: 5 });
    } catch {
      failed++;
    }
    const took = nowMs() - t;
    reads++;
    if (Number.isNaN(replicaDownAt)) steady.push(took);
    if (!Number.isNaN(clusterDownAt) && Number.isNaN(firstAfterClusterDown))
      firstAfterClusterDown = took;
    // Searches only: health probes keep reaching a dead replica on purpose.
    const deadSearches = dead.stats.byMethod.search ?? 0;
    if (!Number.isNaN(replicaDownAt) && Number.isNaN(clusterDownAt) && deadSearches > deadCalls) {
      deadCalls = deadSearches;
      lastSentToDead = nowMs();
    }
  }
  await mesh.close();
  const median = quantile(steady, 0.5);
  const ejectMs = Number.isNaN(lastSentToDead) ? 0 : lastSentToDead - replicaDownAt;
  const addedMs = firstAfterClusterDown - median;
  printTable('failover: read stream, one replica cut off, then the whole preferred cluster', [
    {
      reads,
      failed_reads: failed,
      eject_ms: round(ejectMs),
      steady_p50_ms: round(median),
      first_failover_ms: round(firstAfterClusterDown),
      failover_events: failovers,
    },
  ]);
  return {
    reads,
    failed_reads: failed,
    eject_ms: round(ejectMs),
    first_failover_added_ms: round(addedMs),
    steady_p50_ms: round(median),
  };
}

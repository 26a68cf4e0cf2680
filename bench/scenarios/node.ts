/**
 * node: siftsmall through one reference node over HTTP (a separate process, loopback) against
 * usearch in-process with the same parameters, side by side: recall@10, batched-search
 * throughput, and single-query latency.
 */
import { Index, MetricKind, ScalarKind } from 'usearch';
import { referenceBackend } from '../../src/backends/reference/index.js';
import { startLocalCluster } from '../../src/node/local-cluster.js';
import { loadSiftSmall, type SiftSmall } from '../lib/siftsmall.js';
import { nowMs, printTable, quantile, round } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const M = 16;
const EF_CONSTRUCTION = 128;
const EF_SEARCH = 64;
const K = 10;

function recallOf(data: SiftSmall, results: readonly (readonly number[])[]): number {
  let found = 0;
  results.forEach((ids, q) => {
    const truth = new Set(Array.from(data.groundTruth[q]!.subarray(0, K)));
    for (const id of ids) if (truth.has(id)) found++;
  });
  return found / (results.length * K);
}

export async function node(args: BenchArgs): Promise<Record<string, unknown>> {
  const data = loadSiftSmall(args.dataset);
  const rounds = args.quick ? 5 : 30;
  const singles = args.quick ? 200 : 1000;

  // In-process usearch, the same index parameters as the node's collection.
  const index = new Index({
    dimensions: 128,
    metric: MetricKind.L2sq,
    quantization: ScalarKind.F32,
    connectivity: M,
    expansion_add: EF_CONSTRUCTION,
    expansion_search: EF_SEARCH,
    multi: false,
  });
  data.base.forEach((v, i) => {
    index.add(BigInt(i), v);
  });
  // The same batch call the node makes (all queries at once, usearch picks the threads).
  const searchLocal = (queries: readonly Float32Array[]): number[][] => {
    const batch = index.search([...queries], K, 0);
    return queries.map((_, i) => Array.from(batch.get(i).keys, Number));
  };
  const localResults = searchLocal(data.queries);

  // One node process, over HTTP.
  const cluster = await startLocalCluster({ shards: 1, replicas: 1, fsync: false });
  const backend = referenceBackend({ url: cluster.nodes[0]!.url });
  // The same node through JSON bodies, to show what the binary vector body buys.
  const jsonBackend = referenceBackend({ url: cluster.nodes[0]!.url, binaryVectors: false });
  try {
    await backend.connect();
    await jsonBackend.connect();
    await backend.createCollection('sift', {
      dimension: 128,
      metric: 'l2',
      index: { type: 'hnsw', m: M, efConstruction: EF_CONSTRUCTION },
    });
    for (let i = 0; i < data.base.length; i += 1000) {
      await backend.upsert(
        'sift',
        data.base.slice(i, i + 1000).map((vector, j) => ({ id: i + j, vector })),
      );
    }
    const request = {
      topK: K,
      includePayload: false,
      includeVector: false,
      params: { ef: EF_SEARCH },
    };
    const searchRemote = async (queries: readonly Float32Array[], via = backend) =>
      (await via.search('sift', { ...request, vectors: queries })).map((hits) =>
        hits.map((h) => h.id as number),
      );
    const remoteResults = await searchRemote(data.queries);

    // Batched throughput, alternating in-process and HTTP rounds so both see the same noise.
    let localMs = 0;
    let remoteMs = 0;
    let jsonMs = 0;
    for (let r = 0; r < rounds; r++) {
      let t = nowMs();
      searchLocal(data.queries);
      localMs += nowMs() - t;
      t = nowMs();
      await searchRemote(data.queries);
      remoteMs += nowMs() - t;
      t = nowMs();
      await searchRemote(data.queries, jsonBackend);
      jsonMs += nowMs() - t;
    }
    const queries = rounds * data.queries.length;
    const single: number[] = [];
    for (let i = 0; i < singles; i++) {
      const t = nowMs();
      await backend.search('sift', {
        ...request,
        vectors: [data.queries[i % data.queries.length]!],
      });
      single.push(nowMs() - t);
    }

    const localRecall = recallOf(data, localResults);
    const remoteRecall = recallOf(data, remoteResults);
    const localQps = queries / (localMs / 1000);
    const remoteQps = queries / (remoteMs / 1000);
    const jsonQps = queries / (jsonMs / 1000);
    printTable('node: siftsmall, HNSW m=16 efConstruction=128 ef=64, k=10', [
      {
        path: 'usearch in-process',
        recall_at_10: round(localRecall, 4),
        batch_qps: Math.round(localQps),
      },
      {
        path: 'reference node over HTTP',
        recall_at_10: round(remoteRecall, 4),
        batch_qps: Math.round(remoteQps),
        single_p50_ms: round(quantile(single, 0.5)),
        single_p99_ms: round(quantile(single, 0.99)),
      },
      { path: 'reference node, JSON bodies', batch_qps: Math.round(jsonQps) },
    ]);
    return {
      recall_in_process: round(localRecall, 4),
      recall_http: round(remoteRecall, 4),
      recall_delta: round(localRecall - remoteRecall, 4),
      batch_qps_in_process: Math.round(localQps),
      batch_qps_http: Math.round(remoteQps),
      batch_throughput_ratio: round(remoteQps / localQps),
      batch_throughput_ratio_json: round(jsonQps / localQps),
      single_p50_ms: round(quantile(single, 0.5)),
    };
  } finally {
    await backend.close();
    await jsonBackend.close();
    await cluster.stop();
  }
}

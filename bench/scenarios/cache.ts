/**
 * cache: 100k x 128 clustered vectors on a local 3 x 2 reference-node cluster, exact search, with
 * the result cache in a real Redis. p50 of a cache hit against a miss, and the hit p50 against a
 * bare Redis GET of a value of the same size, measured interleaved (hit, GET, hit, GET...).
 * The Redis server is the tests' (test/helpers/redis-server.ts): REDIS_SERVER_BIN, else
 * redis-server or valkey-server on PATH, else a valkey-server installed into .venv-services/; the
 * figures name which one ran.
 */
import { basename } from 'node:path';
import { Redis } from 'ioredis';
import { createMesh, redisCacheStore } from '../../src/index.js';
import { startLocalCluster } from '../../src/node/local-cluster.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { nowMs, printTable, quantile, round, seededRandom } from '../lib/stats.js';
import type { BenchArgs } from '../run.js';

const DIMENSION = 128;

/** Points around `centers` random centres, so that searches have real neighbourhoods. */
function clustered(count: number, centers: number, seed: number): Float32Array[] {
  const rand = seededRandom(seed);
  const middles = Array.from({ length: centers }, () =>
    Float32Array.from({ length: DIMENSION }, () => rand() * 2 - 1),
  );
  return Array.from({ length: count }, (_, i) => {
    const c = middles[i % centers]!;
    return Float32Array.from(c, (x) => x + (rand() - 0.5) * 0.2);
  });
}

export async function cache(args: BenchArgs): Promise<Record<string, unknown>> {
  const total = args.quick ? 10_000 : 100_000;
  const samples = args.quick ? 100 : 300;
  const redis = await startRedisServer();
  const cluster = await startLocalCluster({ shards: 3, replicas: 2, fsync: false });
  const mesh = createMesh({
    clusters: [cluster.topology],
    cache: { store: redisCacheStore({ url: redis.url }) },
    timeoutMs: 120_000,
  });
  const client = new Redis(redis.url, { lazyConnect: true });
  const lookupStore = redisCacheStore({ url: redis.url });
  // The same nodes behind an in-process cache: what a hit costs the mesh without the network.
  const local = createMesh({ clusters: [cluster.topology], cache: {}, timeoutMs: 120_000 });
  try {
    await mesh.connect();
    await client.connect();
    const docs = await mesh.createCollection('bench', {
      dimension: DIMENSION,
      metric: 'l2',
      index: { type: 'flat' },
    });
    const vectors = clustered(total, 200, 9);
    for (let i = 0; i < total; i += 10_000) {
      await docs.upsert(
        vectors
          .slice(i, i + 10_000)
          .map((vector, j) => ({ id: i + j, vector, payload: { n: i + j } })),
      );
    }
    const queries = clustered(samples, 200, 10);
    const request = (q: Float32Array) => ({ vectors: [q], topK: 10, params: { exact: true } });

    const miss: number[] = [];
    const hit: number[] = [];
    let size = 0;
    for (const q of queries) {
      let t = nowMs();
      const result = await docs.search(request(q));
      miss.push(nowMs() - t);
      size = JSON.stringify(result).length;
      // The cache stores in the background: ask until the answer comes from it (bounded).
      for (let i = 0; i < 3; i++) {
        t = nowMs();
        await docs.search(request(q));
        if (i === 2) hit.push(nowMs() - t);
      }
    }
    // Hit against a bare GET side by side: each hit is followed by a GET of a value of the same
    // size on the same Redis, so that both see the same machine state (the hits above follow a
    // 20 ms miss that keeps the CPUs busy). Interleaved with them, the parts of a hit: the
    // store's one-round-trip lookup alone (its Lua script, through ioredis), and a hit of a mesh
    // with an in-process cache (the mesh's own work per hit, no network).
    const value = 'x'.repeat(size);
    await client.set('bench:value', value);
    await lookupStore.set('bench:lookup0', value, 600);
    await local.connect();
    const localDocs = local.collection('bench');
    for (const q of queries) await localDocs.search(request(q)); // fills the in-process cache
    const warmHit: number[] = [];
    const get: number[] = [];
    const lookup: number[] = [];
    const localHit: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const q of queries) {
        let t = nowMs();
        await docs.search(request(q));
        warmHit.push(nowMs() - t);
        t = nowMs();
        await client.get('bench:value');
        get.push(nowMs() - t);
        t = nowMs();
        await lookupStore.getWithGeneration('bench:gen', 'bench:lookup');
        lookup.push(nowMs() - t);
        t = nowMs();
        await localDocs.search(request(q));
        localHit.push(nowMs() - t);
      }
    }
    const missP50 = quantile(miss, 0.5);
    const hitP50 = quantile(hit, 0.5);
    const warmHitP50 = quantile(warmHit, 0.5);
    const getP50 = quantile(get, 0.5);
    const lookupP50 = quantile(lookup, 0.5);
    const localHitP50 = quantile(localHit, 0.5);
    const server = `${basename(redis.binary.path)} (${redis.binary.source})`;
    printTable(`cache: ${total} x ${DIMENSION} clustered, 3 x 2 nodes, exact search, ${server}`, [
      { path: 'miss (search the cluster)', p50_ms: round(missP50) },
      { path: 'hit right after its miss (Redis)', p50_ms: round(hitP50) },
      { path: 'hit, interleaved with GETs', p50_ms: round(warmHitP50) },
      { path: `bare Redis GET (${size} bytes), interleaved`, p50_ms: round(getP50) },
      { path: 'store lookup alone (EVALSHA), interleaved', p50_ms: round(lookupP50) },
      { path: 'hit of an in-process cache (mesh work only)', p50_ms: round(localHitP50) },
    ]);
    return {
      redis_server: server,
      points: total,
      value_bytes: size,
      miss_p50_ms: round(missP50),
      hit_p50_ms: round(hitP50),
      hit_interleaved_p50_ms: round(warmHitP50),
      get_p50_ms: round(getP50),
      lookup_p50_ms: round(lookupP50),
      in_process_hit_p50_ms: round(localHitP50),
      hit_speedup: round(missP50 / hitP50, 1),
      hit_vs_redis_get: round(warmHitP50 / getP50, 2),
    };
  } finally {
    client.disconnect();
    await lookupStore.close();
    await local.close();
    await mesh.close();
    await cluster.stop();
    await redis.stop();
  }
}

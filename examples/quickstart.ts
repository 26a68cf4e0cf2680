/**
 * The vecmesh quick start, on a real cluster: six reference-node processes (3 shards x 2
 * replicas) on loopback ports. It ingests documents, searches them, kills a replica with SIGKILL
 * in the middle and keeps searching and writing, restarts the replica and shows the writes it
 * missed replayed to it, then prints what the resilience machinery did.
 *
 * Run: npm run demo
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMesh, InvalidBatchError, VecmeshError, type Point } from 'vecmesh';
import { startLocalCluster } from 'vecmesh/node';
import { TOPICS, embed } from './lib/embed.js';

const DIMENSION = 64;

function documents(from: number, count: number): Point[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const topic = i % TOPICS.length;
    return {
      id: `doc-${i}`,
      vector: embed(topic, i),
      payload: { topic: TOPICS[topic] ?? 'none', year: 2020 + (i % 6), title: `Document ${i}` },
    };
  });
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vecmesh-demo-'));
  say('starting 6 reference nodes (3 shards x 2 replicas) on loopback ...');
  const cluster = await startLocalCluster({ shards: 3, replicas: 2, dataDir });
  const mesh = createMesh({
    clusters: [cluster.topology],
    sharding: { strategy: 'consistent-hash', virtualNodes: 160 },
    // Two replicas a shard: acknowledge at one, hand the other what it misses as hints.
    replication: { writeConsistency: 'one' },
    balancing: 'p2c-ewma',
    health: { intervalMs: 200 },
  });
  const counts = { retry: 0, breakerOpen: 0, hinted: 0, replayed: 0 };
  mesh.events.on('retry', () => counts.retry++);
  mesh.events.on('breaker', (e) => {
    if (e.state === 'open') counts.breakerOpen++;
    say(`   [event] breaker of ${e.replica}: ${e.state}`);
  });
  mesh.events.on('hint', (e) => {
    if (e.action === 'stored') counts.hinted += e.count;
    if (e.action === 'replayed') counts.replayed += e.count;
  });

  try {
    await mesh.connect();
    for (const node of cluster.nodes)
      say(`   s${node.shard}/r${node.replica}  ${node.url}  pid ${node.pid ?? '-'}`);
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'cosine' });

    const written = await docs.upsert(documents(0, 6000));
    say(`\n1. upserted ${written.acknowledged} documents in ${written.requests} requests`);
    say(`   points per shard: ${await perShard(cluster)}`);

    const query = embed(TOPICS.indexOf('compilers'), 999_999);
    const { hits, coverage } = await docs.search({
      vectors: [query],
      topK: 3,
      filter: { year: { $gte: 2024 } },
    });
    say(
      `\n2. search "compilers" with year >= 2024, merged from shards ${coverage.shardsQueried.join(', ')}:`,
    );
    for (const hit of hits[0] ?? []) {
      say(
        `   ${String(hit.id).padEnd(10)} score ${hit.score.toFixed(4)}  ${JSON.stringify(hit.payload)}`,
      );
    }

    say('\n3. SIGKILL shard s1, replica r0 ...');
    await cluster.kill(1, 0);
    let ok = 0;
    for (let i = 0; i < 50; i++) {
      const result = await docs.search({
        vectors: [embed(i % TOPICS.length, 500_000 + i)],
        topK: 5,
      });
      if (result.coverage.complete) ok++;
    }
    say(
      `   50 searches while it is down: ${ok} complete answers (retries so far: ${counts.retry})`,
    );
    const more = await docs.upsert(documents(6000, 1000));
    say(
      `   upserted ${more.acknowledged} more; ${more.handedOff} chunk copies kept as hints for the dead replica`,
    );
    say(`   hints waiting: ${mesh.pendingHints()}`);

    say('\n4. restart s1/r0 on the same port and data folder ...');
    await cluster.restart(1, 0);
    await mesh.checkHealth();
    await mesh.flushHints();
    say(
      `   hints waiting after replay: ${mesh.pendingHints()} (replayed ${counts.replayed} points)`,
    );
    say(`   points per replica: ${await perReplica(cluster)}`);

    say('\n5. what the mesh did:');
    say(
      `   retries ${counts.retry}, breakers opened ${counts.breakerOpen}, points hinted ${counts.hinted}, points replayed ${counts.replayed}`,
    );

    say('\n6. mistakes get typed errors, and nothing of a bad batch is written:');
    try {
      await docs.upsert([
        { id: 'ok-1', vector: embed(0, 1) },
        { id: 'bad-1', vector: [1, 2, 3] },
      ]);
    } catch (error) {
      if (!(error instanceof InvalidBatchError)) throw error;
      say(`   ${error.code}: ${error.problems[0]?.error.message ?? ''}`);
      say(`   ok-1 written? ${(await docs.get(['ok-1'])).length > 0 ? 'yes' : 'no'}`);
    }
    try {
      await docs.search({ vectors: [query], topK: 0 });
    } catch (error) {
      if (!(error instanceof VecmeshError)) throw error;
      say(`   ${error.code}: ${error.message}`);
    }
    await mesh.dropCollection('docs');
  } finally {
    await mesh.close();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  say('\ndone: collection dropped, mesh closed, nodes stopped.');
}

async function perShard(cluster: Awaited<ReturnType<typeof startLocalCluster>>): Promise<string> {
  const parts: string[] = [];
  for (const node of cluster.nodes.filter((n) => n.replica === 0)) {
    parts.push(`s${node.shard}=${(await node.backend.describeCollection('docs')).count}`);
  }
  return parts.join(' ');
}

async function perReplica(cluster: Awaited<ReturnType<typeof startLocalCluster>>): Promise<string> {
  const parts: string[] = [];
  for (const node of cluster.nodes) {
    parts.push(
      `s${node.shard}/r${node.replica}=${(await node.backend.describeCollection('docs')).count}`,
    );
  }
  return parts.join(' ');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

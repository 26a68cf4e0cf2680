/**
 * vecmesh in one process: a 3-shard x 2-replica mesh of in-process memory backends, documents
 * ingested in batches, filtered and batched searches merged across shards, reads by id, a
 * delete, and the typed errors a mistake gets.
 *
 * Run: npx tsx examples/in-memory.ts
 */
import {
  createMesh,
  InvalidBatchError,
  InvalidFilterError,
  memoryBackend,
  VecmeshError,
  type Point,
} from 'vecmesh';
import { TOPICS, embed } from './lib/embed.js';

const DIMENSION = 64;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const mesh = createMesh({
    clusters: [
      {
        name: 'local',
        shards: ['s0', 's1', 's2'].map((name) => ({
          name,
          replicas: [
            { backend: memoryBackend({ name: `${name}-a` }) },
            { backend: memoryBackend({ name: `${name}-b` }) },
          ],
        })),
      },
    ],
    sharding: { strategy: 'consistent-hash', virtualNodes: 160 },
    replication: { writeConsistency: 'quorum' },
    batch: { maxPoints: 500, concurrency: 4 },
  });
  await mesh.connect();
  say('vecmesh quick start: 3 shards x 2 replicas, consistent hashing, quorum writes');

  const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'cosine' });

  const points: Point[] = [];
  for (let i = 0; i < 6000; i++) {
    const topic = i % TOPICS.length;
    points.push({
      id: `doc-${i}`,
      vector: embed(topic, i),
      payload: { topic: TOPICS[topic] ?? 'none', year: 2020 + (i % 6), title: `Document ${i}` },
    });
  }
  const written = await docs.upsert(points);
  say(
    `\n1. upserted ${written.acknowledged} documents in ${written.requests} requests (chunks x replicas)`,
  );

  let perShard = '';
  for (const shard of mesh.topology.clusters[0]?.shards ?? []) {
    const backend = shard.replicas[0]?.backend;
    const info = await backend?.describeCollection('docs');
    perShard += ` ${shard.name}=${info?.count ?? '?'}`;
  }
  say(`   points per shard:${perShard}  (total ${await docs.count()})`);

  const query = embed(TOPICS.indexOf('compilers'), 999_999);
  const { hits, coverage } = await docs.search({ vectors: [query], topK: 3 });
  say(`\n2. search "compilers", top 3 merged from shards ${coverage.shardsQueried.join(', ')}:`);
  for (const hit of hits[0] ?? []) {
    say(
      `   ${String(hit.id).padEnd(10)} score ${hit.score.toFixed(4)}  ${JSON.stringify(hit.payload)}`,
    );
  }

  const filtered = await docs.search({
    vectors: [query, embed(TOPICS.indexOf('security'), 424_242)],
    topK: 2,
    filter: { year: { $gte: 2024 }, topic: { $in: ['compilers', 'security'] } },
  });
  say(
    '\n3. one batched call, two queries, filter { year >= 2024, topic in [compilers, security] }:',
  );
  filtered.hits.forEach((list, q) => {
    say(
      `   query ${q}: ${list.map((h) => `${String(h.id)} (${JSON.stringify(h.payload?.topic)}, ${JSON.stringify(h.payload?.year)})`).join(', ')}`,
    );
  });

  const got = await docs.get(['doc-7', 'doc-8', 'no-such-doc']);
  say(
    `\n4. get by id, routed to the owners: found ${got.map((p) => String(p.id)).join(', ')} (missing ids are left out)`,
  );

  await docs.delete(['doc-7']);
  say(
    `\n5. deleted doc-7; get now finds ${(await docs.get(['doc-7'])).length} point(s); count ${await docs.count()}`,
  );

  say('\n6. mistakes get typed errors, and nothing of a bad batch is written:');
  try {
    await docs.upsert([
      { id: 'ok-1', vector: embed(0, 1) },
      { id: 'bad-1', vector: [1, 2, 3] },
    ]);
  } catch (error) {
    if (error instanceof InvalidBatchError) {
      say(
        `   ${error.code}: ${error.problems.length} bad point(s); points[${error.problems[0]?.index}]: ${error.problems[0]?.error.message}`,
      );
      say(`   ok-1 written? ${(await docs.get(['ok-1'])).length > 0 ? 'yes' : 'no'}`);
    } else throw error;
  }
  try {
    await docs.search({ vectors: [query], topK: 5, filter: { year: { $regex: '20.*' } } });
  } catch (error) {
    if (error instanceof InvalidFilterError) say(`   ${error.code}: ${error.message}`);
    else throw error;
  }
  try {
    await docs.search({ vectors: [query], topK: 0 });
  } catch (error) {
    if (error instanceof VecmeshError) say(`   ${error.code}: ${error.message}`);
    else throw error;
  }

  await mesh.dropCollection('docs');
  await mesh.close();
  say('\ndone: collection dropped, mesh closed.');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

/**
 * One mesh whose shards live on two kinds of database: two shards on Milvus (both in one
 * server, as the namespaced collections `m0__docs` and `m1__docs`) and two on vecmesh reference
 * nodes. It ingests documents, prints how many each shard holds, and searches all four shards
 * together.
 *
 * Milvus: a Milvus Lite started here, or an existing server when MILVUS_ADDRESS is set (e.g.
 * `MILVUS_ADDRESS=127.0.0.1:19530`, the docker compose one). Milvus Lite needs a Python with
 * `milvus-lite` (`python3 -m pip install milvus-lite==3.2.2`, or VECMESH_MILVUS_PYTHON naming one);
 * in this repository, `npm test` (or `npx tsx test/helpers/test-services.ts`) installs it into
 * `.venv-services/`, which is used when present. Everything this example starts, it stops.
 *
 * Run: npx tsx examples/mixed-topology.ts
 */
import { milvusBackend } from 'vecmesh/milvus';
import { createMesh, type Point, type VectorBackend } from 'vecmesh';
import { startLocalCluster } from 'vecmesh/node';
import { startMilvusLite, type MilvusLite } from 'vecmesh/testing';
import { TOPICS, embed } from './lib/embed.js';

const DIMENSION = 64;
const DOCUMENTS = 400;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function documents(): Point[] {
  return Array.from({ length: DOCUMENTS }, (_, i) => {
    const topic = i % TOPICS.length;
    return {
      id: `doc-${i}`,
      vector: embed(topic, i, DIMENSION),
      payload: { topic: TOPICS[topic] ?? 'none', year: 2020 + (i % 6) },
    };
  });
}

async function main(): Promise<void> {
  const given = process.env.MILVUS_ADDRESS;
  let lite: MilvusLite | undefined;
  const run = `mixed_${process.pid.toString(36)}`;
  say(given === undefined ? 'starting Milvus Lite ...' : `using Milvus at ${given}`);
  if (given === undefined) lite = await startMilvusLite();
  const milvus = milvusBackend({ address: given ?? lite?.address ?? '' });
  say('starting 2 reference nodes ...');
  const nodes = await startLocalCluster({ shards: 2, replicas: 1, fsync: false });
  const shards: { label: string; backend: VectorBackend; physical: string }[] = [
    { label: 'milvus/m0', backend: milvus, physical: `${run}m0__docs` },
    { label: 'milvus/m1', backend: milvus, physical: `${run}m1__docs` },
    ...nodes.nodes.map((n) => ({ label: `node/${n.url}`, backend: n.backend, physical: 'docs' })),
  ];
  let mesh: ReturnType<typeof createMesh> | undefined;
  try {
    mesh = createMesh({
      clusters: [
        {
          name: 'mixed',
          shards: [
            { name: 'milvus-0', replicas: [{ backend: milvus, namespace: `${run}m0` }] },
            { name: 'milvus-1', replicas: [{ backend: milvus, namespace: `${run}m1` }] },
            ...nodes.topology.shards,
          ],
        },
      ],
    });
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: DIMENSION, metric: 'cosine' });
    const written = await docs.upsert(documents());
    say(`upserted ${written.acknowledged} documents`);
    for (const shard of shards) {
      const { count } = await shard.backend.describeCollection(shard.physical);
      say(`   shard ${shard.label.padEnd(32)} ${count} points`);
    }
    const total = await docs.count();
    say(`total across shards: ${total}`);

    const query = embed(TOPICS.indexOf('compilers'), 123_456, DIMENSION);
    const { hits, coverage } = await docs.search({
      vectors: [query],
      topK: 5,
      filter: { year: { $gte: 2023 } },
    });
    say(`top 5 "compilers" since 2023, merged from ${coverage.shardsQueried.length} shards:`);
    for (const hit of hits[0] ?? []) {
      say(`   ${String(hit.id).padEnd(9)} ${hit.score.toFixed(4)}  ${JSON.stringify(hit.payload)}`);
    }
    await mesh.dropCollection('docs');
  } finally {
    await mesh?.close();
    await nodes.stop();
    await lite?.stop();
  }
  say('stopped everything');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

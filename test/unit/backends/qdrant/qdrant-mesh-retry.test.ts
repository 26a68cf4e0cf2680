/**
 * The mesh over the Qdrant adapter, against the recording server (a test double: no Qdrant can
 * run here): a retryable answer (503, 429) is retried by the mesh and the search succeeds; a
 * non-retryable one (400) is not retried and reaches the caller as a typed error naming Qdrant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { qdrantBackend, qdrantPointId } from '../../../../src/backends/qdrant/index.js';
import { InvalidArgumentError, createMesh, type Mesh } from '../../../../src/index.js';
import {
  fail,
  ok,
  startRecordingServer,
  type RecordingServer,
  type Reply,
} from './recording-server.js';

const SEARCH = 'POST /collections/docs/points/query/batch';

const collectionInfo = {
  status: 'green',
  optimizer_status: 'ok',
  points_count: 1,
  segments_count: 1,
  config: {
    params: { vectors: { size: 2, distance: 'Dot' }, shard_number: 1, replication_factor: 1 },
    hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
    optimizer_config: {},
  },
  payload_schema: {},
};

const hits = ok([
  { points: [{ id: qdrantPointId('a'), version: 1, score: 1, payload: { __vecmesh_id: 'a' } }] },
]);

let server: RecordingServer;
let mesh: Mesh;

/** Answers searches from `searchReplies` in turn (the last one repeats). */
async function start(searchReplies: Reply[]): Promise<void> {
  let searches = 0;
  server = await startRecordingServer((r) => {
    const route = `${r.method} ${r.path}`;
    if (route === 'GET /readyz') return { text: 'all shards are ready' };
    if (route === 'GET /collections/docs') return ok(collectionInfo);
    if (route === 'POST /collections/docs/points/count') return ok({ count: 1 });
    if (route === SEARCH) {
      return searchReplies[Math.min(searches++, searchReplies.length - 1)] as Reply;
    }
    return { status: 404, text: '' };
  });
  mesh = createMesh({
    clusters: [
      { name: 'c', shards: [{ replicas: [{ backend: qdrantBackend({ url: server.url }) }] }] },
    ],
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
  });
  await mesh.connect();
}

const searches = (): number =>
  server.requests.filter((r) => `${r.method} ${r.path}` === SEARCH).length;

afterEach(async () => {
  await mesh.close();
  await server.stop();
});

describe('the mesh over the Qdrant adapter', () => {
  it.each([
    ['503', fail(503, 'Service Unavailable')],
    ['429', { ...fail(429, 'Too many requests'), headers: { 'retry-after': '0' } }],
  ])('retries a %s and answers', async (_label, reply) => {
    await start([reply, reply, hits]);
    const result = await mesh.collection('docs').search({ vectors: [[1, 0]], topK: 1 });
    expect(result.hits).toMatchObject([[{ id: 'a', score: 1 }]]);
    expect(searches()).toBe(3);
  });

  it('does not retry a 400, and names Qdrant in the error', async () => {
    await start([fail(400, 'Wrong input: bad filter')]);
    const err = await mesh
      .collection('docs')
      .search({ vectors: [[1, 0]], topK: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).message).toMatch(/bad filter/);
    expect(JSON.stringify((err as InvalidArgumentError).meta)).toContain(server.url);
    expect(searches()).toBe(1);
  });
});

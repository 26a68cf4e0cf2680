/**
 * What a user reads from the Qdrant adapter when the server cannot be reached or lacks the
 * collection, against the recording server (a test double answering in Qdrant's shapes: a
 * missing collection is `404 { status: { error: "Not found: Collection `x` doesn't exist!" } }`
 * on every collection route, and `200 result: false` on `DELETE /collections/x`).
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { qdrantBackend, type QdrantBackend } from '../../../../src/backends/qdrant/index.js';
import { CollectionNotFoundError, UnavailableError } from '../../../../src/core/errors.js';
import { parseFilter } from '../../../../src/core/filter.js';
import { createMesh } from '../../../../src/index.js';
import { classify } from '../../../../src/resilience/classify.js';
import { fail, ok, startRecordingServer, type RecordingServer } from './recording-server.js';
import { rejection } from '../../../helpers/rejection.js';
import { freePort } from '../../../../src/testing/child-process.js';

let server: RecordingServer;
let backend: QdrantBackend;

beforeEach(async () => {
  server = await startRecordingServer((r) => {
    if (r.path === '/readyz') return { text: 'all shards are ready' };
    const name = /^\/collections\/([^/]+)/.exec(r.path)?.[1];
    if (name === undefined) return { status: 404, text: '' };
    if (r.method === 'DELETE') return ok(false);
    return fail(404, `Not found: Collection \`${name}\` doesn't exist!`);
  });
  backend = qdrantBackend({ url: server.url });
  await backend.connect();
});

afterEach(async () => {
  await backend.close();
  await server.stop();
});

describe('a collection Qdrant does not have', () => {
  it('every operation names the collection, with Qdrant answer as the cause', async () => {
    const b = backend;
    const calls: [string, () => Promise<unknown>][] = [
      ['describeCollection', () => b.describeCollection('nope')],
      ['upsert', () => b.upsert('nope', [{ id: 'a', vector: [1, 2] }])],
      ['delete', () => b.delete('nope', ['a'])],
      ['get', () => b.get('nope', ['a'])],
      ['count', () => b.count('nope', parseFilter({ lang: 'en' }))],
      [
        'search',
        () =>
          b.search('nope', {
            vectors: [new Float32Array([1, 2])],
            topK: 3,
            includePayload: true,
            includeVector: false,
          }),
      ],
      ['scanIds', () => b.scanIds('nope', { limit: 10 })],
    ];
    for (const [operation, call] of calls) {
      const err = await rejection(call());
      expect(err, operation).toBeInstanceOf(CollectionNotFoundError);
      expect(err.message, operation).toBe(
        `collection \`nope\` does not exist on Qdrant at ${server.url}`,
      );
      expect(err.meta, operation).toMatchObject({ collection: 'nope', operation });
      expect(err.cause, operation).toMatchObject({ status: 404 });
    }
    expect(await b.dropCollection('nope')).toBe(false);
  });

  it('through the mesh, the logical name comes first and the namespaced one after', async () => {
    const mesh = createMesh({
      clusters: [
        {
          name: 'c',
          shards: [
            { replicas: [{ backend: qdrantBackend({ url: server.url }), namespace: 's0' }] },
          ],
        },
      ],
    });
    await mesh.connect();
    try {
      const docs = mesh.collection('nope');
      for (const call of [
        () => docs.search({ vectors: [[1, 2]], topK: 1 }),
        () => docs.upsert([{ id: 'a', vector: [1, 2] }]),
        () => docs.count(),
        () => docs.get(['a']),
        () => docs.describe(),
      ]) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(CollectionNotFoundError);
        expect(err.message).toBe(
          `collection \`nope\` does not exist on replica \`c/s0/r0\` (qdrant ${server.url} has no collection \`s0__nope\`)`,
        );
        expect(err.meta).toMatchObject({ collection: 'nope', replica: 'c/s0/r0' });
        expect(err.cause).toBeInstanceOf(CollectionNotFoundError);
      }
    } finally {
      await mesh.close();
    }
  });
});

describe('a Qdrant that cannot be reached', () => {
  it('a closed port says `cannot reach Qdrant at URL: connection refused`', async () => {
    const port = await freePort(); // nothing listens there
    const url = `http://127.0.0.1:${port}`;
    const down = qdrantBackend({ url, timeoutMs: 2000 });
    try {
      for (const call of [() => down.connect(), () => down.count('docs')]) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(UnavailableError);
        expect(err.message).toBe(`cannot reach Qdrant at ${url}: connection refused`);
        expect(err.cause).toBeInstanceOf(TypeError); // fetch's `fetch failed`, kept whole
        expect(classify(err)).toMatchObject({ kind: 'unavailable', retryable: true });
      }
    } finally {
      await down.close();
    }
  });

  it('a server that closes every connection says so', async () => {
    const rude = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => rude.listen(0, '127.0.0.1', done));
    const { port } = rude.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const down = qdrantBackend({ url, timeoutMs: 2000 });
    try {
      const err = await rejection(down.connect());
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toMatch(
        new RegExp(`^cannot reach Qdrant at ${url}: connection (closed by the server|reset)$`),
      );
    } finally {
      await down.close();
      await new Promise<void>((done) => {
        rude.close(() => {
          done();
        });
      });
    }
  });
});

/**
 * What a user reads from the Milvus adapter, against a real Milvus Lite: a collection that does
 * not exist is named as the caller named it (on the backend, and through a mesh whose replicas
 * use namespaces) for every operation that takes one, never as Milvus's status text; an address
 * nothing listens on is `cannot reach Milvus at 127.0.0.1:PORT: <why>` in one line, with the
 * SDK's gRPC error as `cause`.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { milvusBackend, type MilvusBackend } from '../../../src/backends/milvus/index.js';
import { CollectionNotFoundError, UnavailableError } from '../../../src/core/errors.js';
import { parseFilter } from '../../../src/core/filter.js';
import { createMesh } from '../../../src/index.js';
import { classify } from '../../../src/resilience/classify.js';
import { rejection } from '../../helpers/rejection.js';
import { freePort } from '../../../src/testing/child-process.js';

const address = inject('milvusAddress');
const missing = `vm_missing_${process.pid}`;
let backend: MilvusBackend;

beforeAll(async () => {
  backend = milvusBackend({ address });
  await backend.connect();
});

afterAll(async () => {
  await backend.close();
});

describe('a collection Milvus does not have', () => {
  it('every operation names it as the caller did, with Milvus at host:port', async () => {
    const b = backend;
    const calls: [string, () => Promise<unknown>][] = [
      ['describeCollection', () => b.describeCollection(missing)],
      ['upsert', () => b.upsert(missing, [{ id: 'a', vector: [1, 2] }])],
      ['delete', () => b.delete(missing, ['a'])],
      ['get', () => b.get(missing, ['a'])],
      ['get', () => b.get(missing, [])],
      ['count', () => b.count(missing)],
      ['count', () => b.count(missing, parseFilter({ lang: 'en' }))],
      [
        'search',
        () =>
          b.search(missing, {
            vectors: [new Float32Array([1, 2])],
            topK: 3,
            includePayload: true,
            includeVector: false,
          }),
      ],
      ['scanIds', () => b.scanIds(missing, { limit: 10 })],
    ];
    for (const [operation, call] of calls) {
      const err = await rejection(call());
      expect(err, operation).toBeInstanceOf(CollectionNotFoundError);
      expect(err.message, operation).toBe(
        `collection \`${missing}\` does not exist on Milvus at ${address}`,
      );
      expect(err.meta, operation).toMatchObject({ collection: missing, operation });
    }
    expect(await b.dropCollection(missing)).toBe(false);
  });

  it('through a mesh with namespaces: the logical name, then the replica and Milvus name', async () => {
    const mesh = createMesh({
      clusters: [
        {
          name: 'm',
          shards: [
            { replicas: [{ backend: milvusBackend({ address }), namespace: 'a0' }] },
            { replicas: [{ backend: milvusBackend({ address }), namespace: 'a1' }] },
          ],
        },
      ],
    });
    await mesh.connect();
    try {
      const docs = mesh.collection(missing);
      for (const call of [
        () => docs.search({ vectors: [[1, 2]], topK: 1 }),
        () => docs.upsert([{ id: 'a', vector: [1, 2] }]),
        () => docs.get(['a']),
        () => docs.count(),
        () => docs.describe(),
      ]) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(CollectionNotFoundError);
        expect(err.message).toBe(
          `collection \`${missing}\` does not exist on replica \`m/s0/r0\` (milvus http://${address} has no collection \`a0__${missing}\`)`,
        );
        expect(err.meta).toMatchObject({ collection: missing, replica: 'm/s0/r0' });
      }
    } finally {
      await mesh.close();
    }
  });
});

describe('a Milvus that cannot be reached', () => {
  it('a closed port: one line naming host:port and why, the gRPC error as cause', async () => {
    const port = await freePort(); // nothing listens there
    const gone = milvusBackend({ address: `127.0.0.1:${port}`, timeoutMs: 1000 });
    try {
      const err = await rejection(gone.connect());
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toBe(`cannot reach Milvus at 127.0.0.1:${port}: connection refused`);
      expect(err.message).not.toContain('\n');
      expect(err.cause).toMatchObject({ code: 14 });
      expect(classify(err)).toMatchObject({ kind: 'unavailable', retryable: true });
      const later = await rejection(
        gone.search('docs', {
          vectors: [new Float32Array([1, 2])],
          topK: 1,
          includePayload: true,
          includeVector: false,
        }),
      );
      expect(later).toBeInstanceOf(UnavailableError);
      expect(later.message).toMatch(
        new RegExp(`^cannot reach Milvus at 127\\.0\\.0\\.1:${port}: [a-z ]+$`),
      );
    } finally {
      await gone.close();
    }
  });
});

/**
 * What goes wrong with a real Milvus Lite: a collection that exists with another dimension,
 * metric or schema, a server that is down or stalled, an address nothing listens on, and ids or
 * names Milvus cannot store. Each gets a typed error naming the backend, and the mesh retries a
 * retryable one on another replica.
 */
import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { milvusBackend, type MilvusBackend } from '../../../src/backends/milvus/index.js';
import {
  CollectionConflictError,
  InvalidArgumentError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
} from '../../../src/core/errors.js';
import { createMesh } from '../../../src/index.js';
import { classify } from '../../../src/resilience/classify.js';
import { startMilvusLite, type MilvusLite } from '../../../src/testing/milvus-lite.js';

const address = inject('milvusAddress');
const prefix = `vm_bad_${process.pid}`;
let backend: MilvusBackend;

beforeAll(async () => {
  backend = milvusBackend({ address });
  await backend.connect();
});

afterAll(async () => {
  for (const name of await backend.listCollections()) {
    if (name.startsWith(prefix)) await backend.dropCollection(name);
  }
  await backend.close();
});

async function expectError<T extends VecmeshError>(
  call: Promise<unknown>,
  kind: abstract new (...args: never[]) => T,
  operation: string,
  endpoint = backend.endpoint,
): Promise<T> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(kind);
  expect((err as T).meta).toMatchObject({ backend: endpoint, operation });
  return err as T;
}

describe('collections the server already has', () => {
  it('another dimension or metric is a CollectionConflictError naming the backend', async () => {
    const name = `${prefix}_conflict`;
    // Created by another client (a second adapter), as on a shared server.
    const other = milvusBackend({ address });
    await other.connect();
    await other.createCollection(name, { dimension: 4, metric: 'cosine' });
    await other.close();
    const dim = await expectError(
      backend.createCollection(name, { dimension: 8, metric: 'cosine' }),
      CollectionConflictError,
      'createCollection',
    );
    expect(dim.message).toContain(backend.endpoint);
    expect(dim.message).toMatch(/dimension 4 .*dimension 8/);
    await expectError(
      backend.createCollection(name, { dimension: 4, metric: 'l2' }),
      CollectionConflictError,
      'createCollection',
    );
    await expect(
      backend.createCollection(name, { dimension: 4, metric: 'cosine' }),
    ).resolves.toBeUndefined();
  });

  it('a collection vecmesh did not lay out is a CollectionConflictError, not a silent reuse', async () => {
    const name = `${prefix}_foreign`;
    const sdk = new MilvusClient({ address, maxRetries: 0 });
    await sdk.connectPromise;
    await sdk.createCollection({
      collection_name: name,
      fields: [
        { name: 'pk', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ],
    });
    await sdk.closeConnection();
    const err = await expectError(
      backend.createCollection(name, { dimension: 2, metric: 'l2' }),
      CollectionConflictError,
      'createCollection',
    );
    expect(err.message).toMatch(/not created by vecmesh/);
  });
});

describe('input Milvus cannot store', () => {
  it('an id longer than the primary key holds, or with a lone surrogate, is refused up front', async () => {
    const name = `${prefix}_ids`;
    await backend.createCollection(name, { dimension: 2, metric: 'l2' });
    const long = 'x'.repeat(600);
    const err = await expectError(
      backend.upsert(name, [
        { id: 'ok', vector: [1, 1] },
        { id: long, vector: [1, 2] },
      ]),
      InvalidArgumentError,
      'upsert',
    );
    expect(err.message).toMatch(/points\[1\]\.id/);
    await expectError(
      backend.upsert(name, [{ id: 'half\uD800', vector: [1, 2] }]),
      InvalidArgumentError,
      'upsert',
    );
    await expectError(backend.get(name, [1.5]), InvalidArgumentError, 'get');
    expect(await backend.count(name)).toBe(0);
  });

  it('a payload string with a lone surrogate is refused, and nothing is written', async () => {
    const name = `${prefix}_payload`;
    await backend.createCollection(name, { dimension: 2, metric: 'l2' });
    await expectError(
      backend.upsert(name, [
        { id: 'a', vector: [1, 1] },
        { id: 'b', vector: [1, 2], payload: { t: 'x\uDC00' } },
      ]),
      InvalidArgumentError,
      'upsert',
    );
    expect(await backend.count(name)).toBe(0);
  });

  it('a collection name Milvus would refuse is an InvalidArgumentError', async () => {
    for (const name of ['my-docs', '1abc', '', 'a'.repeat(256), 'a b']) {
      await expectError(
        backend.describeCollection(name),
        InvalidArgumentError,
        'describeCollection',
      );
    }
  });
});

describe('a server that is down, stalled or never there', () => {
  let lite: MilvusLite;

  beforeAll(async () => {
    lite = await startMilvusLite();
  });

  afterAll(async () => {
    await lite.stop();
  });

  it('an unreachable address: constructing and connecting never crash the process', async () => {
    const gone = milvusBackend({ address: '127.0.0.1:1', timeoutMs: 2000 });
    const err = await expectError(gone.connect(), UnavailableError, 'connect', gone.endpoint);
    expect(err.retryable).toBe(true);
    expect(classify(err)).toMatchObject({ kind: 'unavailable', retryable: true });
    const health = await gone.health();
    expect(health.ok).toBe(false);
    await expectError(gone.count('docs'), UnavailableError, 'count', gone.endpoint);
    await gone.close();
  });

  it('a stalled server times out with a retryable TimeoutError', async () => {
    const slow = milvusBackend({ address: lite.address, timeoutMs: 500 });
    await slow.connect();
    await slow.createCollection(`${prefix}_slow`, { dimension: 2, metric: 'l2' });
    process.kill(lite.pid, 'SIGSTOP');
    try {
      const err = await expectError(
        slow.count(`${prefix}_slow`),
        TimeoutError,
        'count',
        slow.endpoint,
      );
      expect(err.retryable).toBe(true);
    } finally {
      process.kill(lite.pid, 'SIGCONT');
    }
    expect(await slow.count(`${prefix}_slow`)).toBe(0);
    await slow.close();
  });

  it('a stopped server: a retryable UnavailableError, and the mesh fails over to the other replica', async () => {
    const doomed = milvusBackend({ address: lite.address, timeoutMs: 2000 });
    const healthy = milvusBackend({ address, index: { type: 'FLAT' } });
    const mesh = createMesh({
      clusters: [
        {
          name: 'c',
          shards: [
            {
              replicas: [
                { backend: doomed, namespace: `${prefix}a` },
                { backend: healthy, namespace: `${prefix}b` },
              ],
            },
          ],
        },
      ],
      replication: { writeConsistency: 'all' },
    });
    let failovers = 0;
    mesh.events.on('failover', () => failovers++);
    mesh.events.on('retry', () => failovers++);
    await mesh.connect();
    const docs = await mesh.createCollection('docs', { dimension: 2, metric: 'l2' });
    await docs.upsert([
      { id: 'a', vector: [0, 0] },
      { id: 'b', vector: [5, 5] },
    ]);
    await lite.stop();

    const err = await expectError(
      doomed.count(`${prefix}a__docs`),
      UnavailableError,
      'count',
      doomed.endpoint,
    );
    expect(err.retryable).toBe(true);

    for (let i = 0; i < 4; i++) {
      const { hits } = await docs.search({ vectors: [[0, 0]], topK: 2 });
      expect(hits[0]!.map((h) => h.id)).toEqual(['a', 'b']);
    }
    expect(failovers).toBeGreaterThan(0);
    await healthy.dropCollection(`${prefix}b__docs`);
    await mesh.close();
  });
});

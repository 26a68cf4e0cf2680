/**
 * Contract tests of the Qdrant adapter's collection calls against a recording HTTP server (see
 * `qdrant-fixture.ts`): the exact requests of create, describe, drop and list, and how their
 * answers are read.
 */
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  CollectionConflictError,
  type VecmeshError,
} from '../../../../src/core/errors.js';
import { collectionInfo, routes, useQdrantBackend } from './qdrant-fixture.js';
import { fail, ok } from './recording-server.js';

const qdrant = useQdrantBackend();

describe('qdrant adapter: collections', () => {
  it('createCollection sends PUT /collections/{name} with size and distance per metric', async () => {
    const { server, backend } = qdrant();
    server.respond(routes({ 'PUT /collections/docs': ok(true) }));
    await backend.createCollection('docs', { dimension: 3, metric: 'cosine' });
    await backend.createCollection('docs', { dimension: 4, metric: 'l2' });
    await backend.createCollection('docs', {
      dimension: 5,
      metric: 'ip',
      index: { type: 'hnsw', m: 32, efConstruction: 200 },
    });
    await backend.createCollection('docs', { dimension: 2, metric: 'ip', index: { type: 'flat' } });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PUT', '/collections/docs', { vectors: { size: 3, distance: 'Cosine' } }],
      ['PUT', '/collections/docs', { vectors: { size: 4, distance: 'Euclid' } }],
      [
        'PUT',
        '/collections/docs',
        { vectors: { size: 5, distance: 'Dot' }, hnsw_config: { m: 32, ef_construct: 200 } },
      ],
      [
        'PUT',
        '/collections/docs',
        { vectors: { size: 2, distance: 'Dot' }, hnsw_config: { m: 0 } },
      ],
    ]);
  });

  it('createCollection on an existing collection reads it back: same spec is success', async () => {
    const { server, backend } = qdrant();
    server.respond(
      routes({
        'PUT /collections/docs': fail(409, 'Wrong input: Collection `docs` already exists!'),
        'GET /collections/docs': ok(collectionInfo(3, 'Euclid')),
      }),
    );
    await expect(
      backend.createCollection('docs', { dimension: 3, metric: 'l2' }),
    ).resolves.toBeUndefined();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /collections/docs',
      'GET /collections/docs',
    ]);
  });

  it('createCollection with another dimension or metric is a CollectionConflictError', async () => {
    const { server, backend } = qdrant();
    server.respond(
      routes({
        // Qdrant before 1.8 answered 400 here.
        'PUT /collections/docs': fail(400, 'Wrong input: Collection `docs` already exists!'),
        'GET /collections/docs': ok(collectionInfo(3, 'Euclid')),
      }),
    );
    for (const spec of [
      { dimension: 4, metric: 'l2' },
      { dimension: 3, metric: 'cosine' },
    ] as const) {
      const err = await backend.createCollection('docs', spec).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CollectionConflictError);
      expect((err as VecmeshError).message).toMatch(/dimension 3 and metric l2/);
      expect((err as VecmeshError).meta).toMatchObject({
        backend: server.url,
        operation: 'createCollection',
        collection: 'docs',
      });
    }
  });

  it('describeCollection reads the config and counts exactly', async () => {
    const { server, backend } = qdrant();
    server.respond(
      routes({
        'GET /collections/docs': ok(collectionInfo(4, 'Cosine')),
        'POST /collections/docs/points/count': ok({ count: 7 }),
      }),
    );
    expect(await backend.describeCollection('docs')).toEqual({
      name: 'docs',
      dimension: 4,
      metric: 'cosine',
      index: { type: 'hnsw', m: 16, efConstruction: 100 },
      count: 7,
    });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['GET', '/collections/docs', undefined],
      ['POST', '/collections/docs/points/count', { exact: true }],
    ]);
  });

  it('describeCollection refuses a collection with named vectors or Manhattan distance', async () => {
    const { server, backend } = qdrant();
    server.respond(routes({ 'GET /collections/named': ok(collectionInfo(4, 'Manhattan')) }));
    const err = await backend.describeCollection('named').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).retryable).toBe(false);
  });

  it("dropCollection sends DELETE and answers Qdrant's result", async () => {
    const { server, backend } = qdrant();
    let exists = true;
    server.respond(
      routes({
        'DELETE /collections/docs': () => {
          const r = ok(exists);
          exists = false;
          return r;
        },
      }),
    );
    expect(await backend.dropCollection('docs')).toBe(true);
    expect(await backend.dropCollection('docs')).toBe(false);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /collections/docs',
      'DELETE /collections/docs',
    ]);
  });

  it('listCollections sends GET /collections and sorts the names', async () => {
    const { server, backend, only } = qdrant();
    server.respond(
      routes({
        'GET /collections': ok({ collections: [{ name: 'zeta' }, { name: 'alpha' }] }),
      }),
    );
    expect(await backend.listCollections()).toEqual(['alpha', 'zeta']);
    expect(only()).toMatchObject({ method: 'GET', path: '/collections' });
  });
});

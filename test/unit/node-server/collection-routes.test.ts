/**
 * The collection routes of the reference node: create, describe, list, drop, and their bad input.
 */
import { describe, expect, it } from 'vitest';
import { createCollection, expectError, expectServing, send, useNode } from './node-fixture.js';

describe('node server: collections', () => {
  const node = useNode();

  it('creates (201), answers 200 for the same spec again, and describes with a count', async () => {
    const { app } = node();
    const spec = {
      dimension: 3,
      metric: 'cosine',
      index: { type: 'hnsw', m: 8, efConstruction: 32 },
    };
    const first = await send(app, 'PUT', '/collections/docs', spec);
    expect(first).toMatchObject({ status: 201, body: { created: true } });
    const again = await send(app, 'PUT', '/collections/docs', { dimension: 3, metric: 'cosine' });
    expect(again).toMatchObject({ status: 200, body: { created: false } });
    const info = await send(app, 'GET', '/collections/docs');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ name: 'docs', dimension: 3, metric: 'cosine', count: 0 });
  });

  it('accepts a flat index and a trailing slash', async () => {
    const { app } = node();
    await createCollection(app, 'flat-one', {
      dimension: 2,
      metric: 'l2',
      index: { type: 'flat' },
    });
    expect((await send(app, 'GET', '/collections/flat-one/')).status).toBe(200);
  });

  it('answers 409 for a different dimension or metric', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 3, metric: 'l2' });
    const dim = await send(app, 'PUT', '/collections/docs', { dimension: 4, metric: 'l2' });
    expectError(dim, 409, 'VECMESH_ERR_COLLECTION_CONFLICT', /dimension/);
    const metric = await send(app, 'PUT', '/collections/docs', { dimension: 3, metric: 'ip' });
    expectError(metric, 409, 'VECMESH_ERR_COLLECTION_CONFLICT');
  });

  it('lists collection names sorted', async () => {
    const { app } = node();
    await createCollection(app, 'b', { dimension: 2, metric: 'l2' });
    await createCollection(app, 'a', { dimension: 2, metric: 'l2' });
    expect((await send(app, 'GET', '/collections')).body).toEqual({ collections: ['a', 'b'] });
  });

  it('drops: dropped true, then false; then describe is 404', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2' });
    expect((await send(app, 'DELETE', '/collections/docs')).body).toEqual({ dropped: true });
    expect((await send(app, 'DELETE', '/collections/docs')).body).toEqual({ dropped: false });
    const missing = await send(app, 'GET', '/collections/docs');
    expectError(missing, 404, 'VECMESH_ERR_COLLECTION_NOT_FOUND', /docs/);
  });

  it.each([
    ['no body', undefined, /JSON object/],
    ['an array body', [1, 2], /JSON object/],
    ['a missing dimension', { metric: 'l2' }, /`dimension`/],
    ['a zero dimension', { dimension: 0, metric: 'l2' }, /`dimension`/],
    ['a fractional dimension', { dimension: 2.5, metric: 'l2' }, /`dimension`/],
    ['a dimension as a string', { dimension: '2', metric: 'l2' }, /`dimension`/],
    ['an unknown metric', { dimension: 2, metric: 'hamming' }, /`metric`/],
    ['an unknown field', { dimension: 2, metric: 'l2', dims: 3 }, /unknown field `dims`/],
    [
      'an unknown index type',
      { dimension: 2, metric: 'l2', index: { type: 'ivf' } },
      /index\.type/,
    ],
    ['an index that is not an object', { dimension: 2, metric: 'l2', index: 'hnsw' }, /`index`/],
    ['an out-of-range m', { dimension: 2, metric: 'l2', index: { m: 1 } }, /index\.m/],
    ['an unknown index field', { dimension: 2, metric: 'l2', index: { ef: 3 } }, /index\.ef/],
  ])('answers 400 to %s, and keeps serving', async (_what, body, message) => {
    const { app } = node();
    const answer = await send(app, 'PUT', '/collections/docs', body);
    expectError(answer, 400, 'VECMESH_ERR_INVALID_ARGUMENT', message);
    await expectServing(app);
    expect((await send(app, 'GET', '/collections')).body).toEqual({ collections: [] });
  });

  it('answers 400 to collection names outside letters, digits, _ and -', async () => {
    const { app } = node();
    for (const name of ['a.b', 'a..b', 'x%2Fy', 'sp%20ace', 'a'.repeat(256)]) {
      const answer = await send(app, 'PUT', `/collections/${name}`, { dimension: 2, metric: 'l2' });
      expectError(answer, 400, 'VECMESH_ERR_INVALID_ARGUMENT', /collection name/);
    }
    await createCollection(app, `A_z-09${'x'.repeat(249)}`, { dimension: 2, metric: 'l2' });
  });

  it('answers 404 with a vecmesh code to unknown routes and methods', async () => {
    const { app } = node();
    expectError(await send(app, 'GET', '/nope'), 404, 'VECMESH_ERR_NO_ROUTE', /GET \/nope/);
    expectError(await send(app, 'POST', '/collections'), 404, 'VECMESH_ERR_NO_ROUTE');
    await expectServing(app);
  });
});

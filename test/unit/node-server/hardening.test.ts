/**
 * The reference node's safe defaults: body parsing, size limits, API keys, prototype
 * pollution; after every bad request the node keeps serving.
 */
import { describe, expect, it } from 'vitest';
import { createCollection, expectError, expectServing, send, useNode } from './node-fixture.js';

const json = { 'content-type': 'application/json' };

describe('node server: bodies', () => {
  const node = useNode({ bodyLimitBytes: 4096 });

  it.each([
    ['bad JSON', '{"dimension": 2,', /not valid JSON/],
    ['trailing garbage', '{"dimension": 2} x', /not valid JSON/],
    ['an empty body', '', /empty/],
  ])('answers 400 to %s', async (_what, payload, message) => {
    const { app } = node();
    const answer = await send(app, 'PUT', '/collections/docs', payload, json);
    expectError(answer, 400, 'VECMESH_ERR_INVALID_ARGUMENT', message);
    await expectServing(app);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const { app } = node();
    const answer = await send(app, 'PUT', '/collections/docs', 'dimension=2', {
      'content-type': 'text/plain',
    });
    expectError(answer, 415, 'VECMESH_ERR_INVALID_ARGUMENT', /application\/json/);
    await expectServing(app);
  });

  it('answers 413 to a body over the limit, and writes nothing', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2' });
    const points = Array.from({ length: 500 }, (_, i) => ({ id: i, vector: [1, 2] }));
    const answer = await send(app, 'POST', '/collections/docs/points/upsert', { points });
    expectError(answer, 413, 'VECMESH_ERR_INVALID_ARGUMENT', /4096 bytes/);
    expect((await send(app, 'POST', '/collections/docs/points/count', {})).body).toEqual({
      count: 0,
    });
    await expectServing(app);
  });

  it('refuses `__proto__` keys with 400 and pollutes nothing', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2' });
    const payloads = [
      '{"points":[{"id":"a","vector":[1,2],"payload":{"__proto__":{"polluted":1}}}]}',
      '{"points":[{"id":"a","vector":[1,2],"payload":{"x":{"constructor":{"prototype":{"polluted":1}}}}}]}',
      '{"__proto__":{"polluted":1},"points":[]}',
    ];
    for (const payload of payloads) {
      const answer = await send(app, 'POST', '/collections/docs/points/upsert', payload, json);
      expectError(answer, 400, 'VECMESH_ERR_INVALID_ARGUMENT', /__proto__/);
    }
    const filter = '{"filter":{"__proto__":{"polluted":1}}}';
    const count = await send(app, 'POST', '/collections/docs/points/count', filter, json);
    expectError(count, 400, 'VECMESH_ERR_INVALID_ARGUMENT', /__proto__/);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect((await send(app, 'POST', '/collections/docs/points/count', {})).body).toEqual({
      count: 0,
    });
    await expectServing(app);
  });

  it('stores payload keys that merely look special as plain data', async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2' });
    const payload = { constructor: 'c', toString: 1, hasOwnProperty: null, prototype: { a: 1 } };
    const write = await send(app, 'POST', '/collections/docs/points/upsert', {
      points: [{ id: 'a', vector: [1, 2], payload }],
    });
    expect(write.status, JSON.stringify(write.body)).toBe(200);
    const got = await send(app, 'POST', '/collections/docs/points/get', { ids: ['a'] });
    expect(got.body).toEqual({ points: [{ id: 'a', payload }] });
    expect(Object.prototype).not.toHaveProperty('a');
  });
});

describe('node server: API key', () => {
  const node = useNode({ apiKey: 's3cret-key' });

  it('answers 401 without a key or with a wrong one, before reading the body', async () => {
    const { app } = node();
    const missing = await send(app, 'GET', '/collections');
    expectError(missing, 401, 'VECMESH_ERR_UNAUTHORIZED', /requires an API key/);
    expect(missing.raw.headers['www-authenticate']).toBe('Bearer');
    const wrong: Record<string, string>[] = [
      { authorization: 'Bearer wrong' },
      { authorization: 'Bearer s3cret-key-and-more' },
      { 'x-api-key': 's3cret-ke' },
      { authorization: 'Basic czNjcmV0LWtleQ==' },
    ];
    for (const headers of wrong) {
      expectError(
        await send(app, 'GET', '/collections', undefined, headers),
        401,
        'VECMESH_ERR_UNAUTHORIZED',
      );
    }
    // A body is not even parsed without the key: bad JSON still gets 401.
    const bad = await send(app, 'PUT', '/collections/x', '{bad', json);
    expectError(bad, 401, 'VECMESH_ERR_UNAUTHORIZED');
    expect((await send(app, 'GET', '/metrics')).status).toBe(401);
  });

  it('accepts the key as a bearer token or as x-api-key', async () => {
    const { app } = node();
    const bearer = { authorization: 'Bearer s3cret-key' };
    const put = await send(app, 'PUT', '/collections/docs', { dimension: 2, metric: 'l2' }, bearer);
    expect(put.status).toBe(201);
    const list = await send(app, 'GET', '/collections', undefined, { 'x-api-key': 's3cret-key' });
    expect(list.body).toEqual({ collections: ['docs'] });
    await expectServing(app, bearer);
  });

  it('leaves the probes open', async () => {
    const { app } = node();
    expect((await send(app, 'GET', '/healthz')).body).toEqual({ ok: true });
    expect((await send(app, 'GET', '/readyz')).body).toEqual({ ok: true });
  });
});

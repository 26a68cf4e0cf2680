/**
 * The point routes of the reference node: upsert, get, delete, count, search and the id scan,
 * with the bad input of each.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createCollection, expectError, expectServing, send, useNode } from './node-fixture.js';

const base = '/collections/docs';

describe('node server: points', () => {
  const node = useNode();

  beforeEach(async () => {
    const { app } = node();
    await createCollection(app, 'docs', { dimension: 2, metric: 'l2', index: { type: 'flat' } });
  });

  async function upsert(points: unknown[]): Promise<void> {
    const answer = await send(node().app, 'POST', `${base}/points/upsert`, { points });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  it('upserts, gets (with and without vectors) and counts', async () => {
    const { app } = node();
    const answer = await send(app, 'POST', `${base}/points/upsert`, {
      points: [
        { id: 'a', vector: [1, 0], payload: { lang: 'en', tags: ['x'] } },
        { id: 7, vector: [0, 2] },
      ],
    });
    expect(answer).toMatchObject({ status: 200, body: { upserted: 2 } });
    const got = await send(app, 'POST', `${base}/points/get`, {
      ids: [7, 'missing', 'a', 'a'],
      includeVector: true,
    });
    expect(got.body).toEqual({
      points: [
        { id: 7, vector: [0, 2], payload: {} },
        { id: 'a', vector: [1, 0], payload: { lang: 'en', tags: ['x'] } },
      ],
    });
    const bare = await send(app, 'POST', `${base}/points/get`, { ids: ['a'] });
    expect(bare.body).toEqual({ points: [{ id: 'a', payload: { lang: 'en', tags: ['x'] } }] });
    expect((await send(app, 'POST', `${base}/points/count`, {})).body).toEqual({ count: 2 });
    expect((await send(app, 'POST', `${base}/points/count`)).body).toEqual({ count: 2 });
    const filtered = await send(app, 'POST', `${base}/points/count`, { filter: { lang: 'en' } });
    expect(filtered.body).toEqual({ count: 1 });
  });

  it('keeps the last of two points with the same id in one batch', async () => {
    await upsert([
      { id: 'a', vector: [1, 1], payload: { v: 1 } },
      { id: 'a', vector: [2, 2], payload: { v: 2 } },
    ]);
    const got = await send(node().app, 'POST', `${base}/points/get`, {
      ids: ['a'],
      includeVector: true,
    });
    expect(got.body).toEqual({ points: [{ id: 'a', vector: [2, 2], payload: { v: 2 } }] });
  });

  it('deletes by id, ignoring missing ids', async () => {
    const { app } = node();
    await upsert([
      { id: 'a', vector: [1, 1] },
      { id: 2, vector: [2, 2] },
    ]);
    const answer = await send(app, 'POST', `${base}/points/delete`, { ids: ['a', 'zz', 99] });
    expect(answer).toMatchObject({ status: 200, body: { deleted: 3 } });
    expect((await send(app, 'POST', `${base}/points/count`, {})).body).toEqual({ count: 1 });
    expect((await send(app, 'POST', `${base}/points/delete`, { ids: [] })).status).toBe(200);
  });

  it('searches a batch of vectors with a filter, payloads and vectors', async () => {
    const { app } = node();
    await upsert([
      { id: 'a', vector: [1, 0], payload: { lang: 'en' } },
      { id: 'b', vector: [2, 0], payload: { lang: 'fr' } },
      { id: 'c', vector: [3, 0], payload: { lang: 'en' } },
    ]);
    const answer = await send(app, 'POST', `${base}/search`, {
      vectors: [
        [0, 0],
        [3, 0],
      ],
      topK: 2,
      filter: { lang: 'en' },
      includePayload: true,
      includeVector: true,
      exact: true,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      hits: [
        [
          { id: 'a', score: 1, payload: { lang: 'en' }, vector: [1, 0] },
          { id: 'c', score: 9, payload: { lang: 'en' }, vector: [3, 0] },
        ],
        [
          { id: 'c', score: 0, payload: { lang: 'en' }, vector: [3, 0] },
          { id: 'a', score: 4, payload: { lang: 'en' }, vector: [1, 0] },
        ],
      ],
    });
    const bare = await send(app, 'POST', `${base}/search`, { vectors: [[0, 0]], topK: 1, ef: 50 });
    expect(bare.body).toEqual({ hits: [[{ id: 'a', score: 1 }]] });
  });

  it('scans ids page by page with a cursor', async () => {
    const { app } = node();
    await upsert(Array.from({ length: 5 }, (_, i) => ({ id: `k${i}`, vector: [i, 0] })));
    const seen: unknown[] = [];
    let url = `${base}/ids?limit=2`;
    for (let pages = 0; pages < 10; pages++) {
      const page = (await send(app, 'GET', url)).body as { ids: unknown[]; nextCursor?: string };
      seen.push(...page.ids);
      if (page.nextCursor === undefined) break;
      url = `${base}/ids?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen.sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    const all = (await send(app, 'GET', `${base}/ids`)).body as {
      ids: unknown[];
      nextCursor?: string;
    };
    expect(all.ids).toHaveLength(5);
    expect(all.nextCursor).toBeUndefined();
  });

  it('answers 404 on every point route of a missing collection', async () => {
    const { app } = node();
    const calls: [string, string, unknown][] = [
      ['POST', '/collections/nope/points/upsert', { points: [{ id: 'a', vector: [1, 2] }] }],
      ['POST', '/collections/nope/points/delete', { ids: ['a'] }],
      ['POST', '/collections/nope/points/get', { ids: ['a'] }],
      ['POST', '/collections/nope/points/count', {}],
      ['POST', '/collections/nope/search', { vectors: [[1, 2]], topK: 1 }],
      ['GET', '/collections/nope/ids', undefined],
    ];
    for (const [method, url, body] of calls) {
      const answer = await send(app, method as 'GET' | 'POST', url, body);
      expectError(answer, 404, 'VECMESH_ERR_COLLECTION_NOT_FOUND', /nope/);
    }
  });

  const upsertCases: [string, unknown, string, RegExp][] = [
    [
      'a wrong dimension',
      { points: [{ id: 'a', vector: [1, 2, 3] }] },
      'VECMESH_ERR_INVALID_VECTOR',
      /points\[1\]\.vector` has dimension 3, the collection has 2/,
    ],
    [
      'a non-finite entry',
      { points: [{ id: 'a', vector: [1, 'x'] }] },
      'VECMESH_ERR_INVALID_VECTOR',
      /points\[1\]\.vector\[1\]/,
    ],
    [
      'a float32 overflow',
      { points: [{ id: 'a', vector: [1, 1e300] }] },
      'VECMESH_ERR_INVALID_VECTOR',
      /float32/,
    ],
    [
      'an id of the wrong type',
      { points: [{ id: true, vector: [1, 2] }] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /points\[1\]\.id/,
    ],
    [
      'a fractional id',
      { points: [{ id: 1.5, vector: [1, 2] }] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /points\[1\]\.id/,
    ],
    [
      'an empty id',
      { points: [{ id: '', vector: [1, 2] }] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /points\[1\]\.id/,
    ],
    [
      'a payload that is an array',
      { points: [{ id: 'a', vector: [1, 2], payload: [1] }] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /payload/,
    ],
    [
      'a point that is not an object',
      { points: [3] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /points\[1\]/,
    ],
    [
      'an unknown point field',
      { points: [{ id: 'a', vector: [1, 2], extra: 1 }] },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /points\[1\]\.extra/,
    ],
    ['points that are not an array', { points: 'a' }, 'VECMESH_ERR_INVALID_ARGUMENT', /`points`/],
    [
      'too many points',
      { points: Array.from({ length: 10_001 }, (_, i) => ({ id: i, vector: [1, 2] })) },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /10000/,
    ],
  ];

  it.each(upsertCases)(
    'upsert with %s answers 400, writes nothing of the batch, and the node keeps serving',
    async (_what, body, code, message) => {
      const { app } = node();
      // A valid point first: it must not be written either.
      const b = body as { points: unknown };
      const points = Array.isArray(b.points)
        ? [{ id: 'ok', vector: [1, 1] }, ...(b.points as unknown[])]
        : b.points;
      const answer = await send(app, 'POST', `${base}/points/upsert`, { points });
      expectError(answer, 400, code, message);
      expect((await send(app, 'POST', `${base}/points/count`, {})).body).toEqual({ count: 0 });
      await expectServing(app);
    },
  );

  it.each([
    ['ids of the wrong type', 'points/get', { ids: [{ id: 1 }] }, /ids\[0\]/],
    ['ids that are not an array', 'points/delete', { ids: 'a' }, /`ids`/],
    ['a missing ids field', 'points/delete', {}, /`ids`/],
    [
      'a non-boolean includeVector',
      'points/get',
      { ids: ['a'], includeVector: 'yes' },
      /includeVector/,
    ],
    ['an unknown field', 'points/get', { ids: ['a'], withVector: true }, /withVector/],
  ])('answers 400 to %s', async (_what, route, body, message) => {
    const { app } = node();
    expectError(
      await send(app, 'POST', `${base}/${route}`, body),
      400,
      'VECMESH_ERR_INVALID_ARGUMENT',
      message,
    );
    await expectServing(app);
  });

  it.each([
    [
      'a wrong query dimension',
      { vectors: [[1, 2, 3]], topK: 1 },
      'VECMESH_ERR_INVALID_VECTOR',
      /vectors\[0\]/,
    ],
    ['no query vector', { vectors: [], topK: 1 }, 'VECMESH_ERR_INVALID_ARGUMENT', /`vectors`/],
    ['a zero topK', { vectors: [[1, 2]], topK: 0 }, 'VECMESH_ERR_INVALID_ARGUMENT', /`topK`/],
    [
      'a topK beyond the limit',
      { vectors: [[1, 2]], topK: 10_001 },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /`topK`/,
    ],
    [
      'an unknown filter operator',
      { vectors: [[1, 2]], topK: 1, filter: { year: { $regex: 'x' } } },
      'VECMESH_ERR_INVALID_FILTER',
      /\$regex/,
    ],
    [
      'an invalid field name',
      { vectors: [[1, 2]], topK: 1, filter: { 'a.b': 1 } },
      'VECMESH_ERR_INVALID_FILTER',
      /a\.b/,
    ],
    [
      'a bad operand type',
      { vectors: [[1, 2]], topK: 1, filter: { year: { $gte: true } } },
      'VECMESH_ERR_INVALID_FILTER',
      /filter\.year\.\$gte/,
    ],
    ['a bad ef', { vectors: [[1, 2]], topK: 1, ef: -1 }, 'VECMESH_ERR_INVALID_ARGUMENT', /`ef`/],
    [
      'a non-boolean exact',
      { vectors: [[1, 2]], topK: 1, exact: 1 },
      'VECMESH_ERR_INVALID_ARGUMENT',
      /`exact`/,
    ],
    ['a misspelt field', { vectors: [[1, 2]], topk: 1 }, 'VECMESH_ERR_INVALID_ARGUMENT', /topk/],
  ])('search with %s answers 400', async (_what, body, code, message) => {
    const { app } = node();
    expectError(await send(app, 'POST', `${base}/search`, body), 400, code, message);
    await expectServing(app);
  });

  it('count with an unknown filter operator answers 400', async () => {
    const { app } = node();
    const answer = await send(app, 'POST', `${base}/points/count`, { filter: { $where: 'x' } });
    expectError(answer, 400, 'VECMESH_ERR_INVALID_FILTER', /\$where/);
  });

  it.each([
    ['a limit of 0', '?limit=0', /limit/],
    ['a limit that is not a number', '?limit=ten', /limit/],
    ['a limit beyond the maximum', '?limit=10001', /limit/],
    ['a cursor that the node did not issue', '?cursor=garbage', /cursor/],
    ['an unknown parameter', '?offset=3', /offset/],
  ])('an id scan with %s answers 400', async (_what, query, message) => {
    const { app } = node();
    expectError(
      await send(app, 'GET', `${base}/ids${query}`),
      400,
      'VECMESH_ERR_INVALID_ARGUMENT',
      message,
    );
    await expectServing(app);
  });
});

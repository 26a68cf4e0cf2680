/**
 * Contract tests of the Qdrant adapter's point calls against a recording HTTP server (see
 * `qdrant-fixture.ts`): the exact requests of upsert, delete, get, count and scanIds (UUID ids,
 * reserved payload keys, batches split at `maxPointsPerRequest`), and how their answers are read.
 */
import { describe, expect, it } from 'vitest';
import { qdrantBackend } from '../../../../src/backends/qdrant/index.js';
import { qdrantPointId } from '../../../../src/backends/qdrant/qdrant-ids.js';
import {
  InvalidArgumentError,
  InvalidVectorError,
  type VecmeshError,
} from '../../../../src/core/errors.js';
import { parseFilter } from '../../../../src/core/filter.js';
import { ID, T, routes, useQdrantBackend } from './qdrant-fixture.js';
import { ok } from './recording-server.js';

const qdrant = useQdrantBackend();

describe('qdrant adapter: points', () => {
  it('upsert sends UUID ids, JSON vectors, the payload with the reserved keys, and wait=true', async () => {
    const { server, backend, only } = qdrant();
    server.respond(
      routes({
        'PUT /collections/docs/points': ok({ operation_id: 1, status: 'completed' }),
      }),
    );
    await backend.upsert('docs', [
      {
        id: 'a',
        vector: Float32Array.of(0.5, -1.25),
        payload: { lang: 'en', tags: ['x'], n: null },
      },
      { id: 1, vector: [1, 2] },
    ]);
    const r = only();
    expect([r.method, r.path, r.query]).toEqual([
      'PUT',
      '/collections/docs/points',
      { wait: 'true' },
    ]);
    expect(r.body).toEqual({
      points: [
        {
          id: qdrantPointId('a'),
          vector: [0.5, -1.25],
          payload: {
            lang: 'en',
            tags: ['x'],
            n: null,
            [ID]: 'a',
            [T]: { lang: 's', tags: 'a', n: 'z' },
          },
        },
        { id: qdrantPointId(1), vector: [1, 2], payload: { [ID]: 1, [T]: {} } },
      ],
    });
  });

  it('upsert refuses bad batches before sending anything', async () => {
    const { server, backend } = qdrant();
    const bad: [unknown, new (...a: never[]) => Error][] = [
      [[{ id: 'a', vector: [1, 2], payload: { [ID]: 'x' } }], InvalidArgumentError],
      [[{ id: 'a', vector: [1, 2], payload: { [T]: {} } }], InvalidArgumentError],
      [
        [
          { id: 'a', vector: [1, 2] },
          { id: 'b', vector: [1, 2, 3] },
        ],
        InvalidVectorError,
      ],
      [[{ id: 'a', vector: [1, Number.NaN] }], InvalidVectorError],
      [[{ id: 1.5, vector: [1, 2] }], InvalidArgumentError],
      [[{ id: 'a', vector: [] }], InvalidVectorError],
      ['nope', InvalidArgumentError],
    ];
    for (const [points, type] of bad) {
      const err = await backend.upsert('docs', points as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(points)).toBeInstanceOf(type);
      expect((err as VecmeshError).meta).toMatchObject({
        backend: server.url,
        operation: 'upsert',
      });
    }
    expect(server.requests).toHaveLength(0);
  });

  it('splits upserts, deletes and gets beyond maxPointsPerRequest', async () => {
    const { server } = qdrant();
    const small = qdrantBackend({ url: server.url, capabilities: { maxPointsPerRequest: 2 } });
    await small.connect();
    server.requests.length = 0;
    server.respond(
      routes({
        'PUT /collections/docs/points': ok({ status: 'completed' }),
        'POST /collections/docs/points/delete': ok({ status: 'completed' }),
        'POST /collections/docs/points': ok([]),
      }),
    );
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await small.upsert(
      'docs',
      ids.map((id) => ({ id, vector: [1, 0] })),
    );
    await small.delete('docs', ids);
    await small.get('docs', ids);
    const sizes = server.requests.map((r) => {
      const body = r.body as { points?: unknown[]; ids?: unknown[] };
      return [r.path, (body.points ?? body.ids)!.length];
    });
    expect(sizes).toEqual([
      ['/collections/docs/points', 2],
      ['/collections/docs/points', 2],
      ['/collections/docs/points', 1],
      ['/collections/docs/points/delete', 2],
      ['/collections/docs/points/delete', 2],
      ['/collections/docs/points/delete', 1],
      ['/collections/docs/points', 2],
      ['/collections/docs/points', 2],
      ['/collections/docs/points', 1],
    ]);
    await small.close();
  });

  it('delete sends the UUIDs with wait=true', async () => {
    const { server, backend, only } = qdrant();
    server.respond(routes({ 'POST /collections/docs/points/delete': ok({ status: 'completed' }) }));
    await backend.delete('docs', ['a', 2, 'a']);
    const r = only();
    expect([r.path, r.query, r.body]).toEqual([
      '/collections/docs/points/delete',
      { wait: 'true' },
      { points: [qdrantPointId('a'), qdrantPointId(2)] },
    ]);
  });

  it('get retrieves by UUID and answers original ids in the order asked, without the reserved keys', async () => {
    const { server, backend, only } = qdrant();
    server.respond(
      routes({
        'POST /collections/docs/points': ok([
          { id: qdrantPointId(2), payload: { [ID]: 2, [T]: {} }, vector: [3, 4] },
          {
            id: qdrantPointId('a'),
            payload: { title: 'A "quoted" ✓', [ID]: 'a', [T]: { title: 's' } },
            vector: [1, 2],
          },
        ]),
      }),
    );
    const got = await backend.get('docs', ['a', 'missing', 2], { includeVector: true });
    expect(got).toEqual([
      { id: 'a', payload: { title: 'A "quoted" ✓' }, vector: [1, 2] },
      { id: 2, payload: {}, vector: [3, 4] },
    ]);
    expect(only().body).toEqual({
      ids: [qdrantPointId('a'), qdrantPointId('missing'), qdrantPointId(2)],
      with_payload: true,
      with_vector: true,
    });
  });

  it('count sends exact: true and the compiled filter', async () => {
    const { server, backend, only } = qdrant();
    server.respond(routes({ 'POST /collections/docs/points/count': ok({ count: 3 }) }));
    expect(await backend.count('docs', parseFilter({ lang: 'en' }))).toBe(3);
    expect(only().body).toEqual({
      exact: true,
      filter: {
        must: [
          { key: 'lang', match: { value: 'en' } },
          { key: `${T}.lang`, match: { value: 's' } },
        ],
      },
    });
  });

  it('scanIds scrolls by UUID with next_page_offset as the cursor and answers original ids', async () => {
    const { server, backend } = qdrant();
    const next = qdrantPointId('c');
    server.respond(
      routes({
        'POST /collections/docs/points/scroll': (r) =>
          (r.body as { offset?: unknown }).offset === undefined
            ? ok({
                points: [
                  { id: qdrantPointId('a'), payload: { [ID]: 'a' } },
                  { id: qdrantPointId(5), payload: { [ID]: 5 } },
                ],
                next_page_offset: next,
              })
            : ok({ points: [{ id: next, payload: { [ID]: 'c' } }], next_page_offset: null }),
      }),
    );
    const first = await backend.scanIds('docs', { limit: 2 });
    expect(first).toEqual({ ids: ['a', 5], nextCursor: next });
    const second = await backend.scanIds('docs', { cursor: first.nextCursor!, limit: 2 });
    expect(second).toEqual({ ids: ['c'] });
    expect(server.requests.map((r) => r.body)).toEqual([
      { limit: 2, with_payload: [ID], with_vector: false },
      { limit: 2, with_payload: [ID], with_vector: false, offset: next },
    ]);
    await expect(
      backend.scanIds('docs', { cursor: 'not-a-cursor', limit: 2 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

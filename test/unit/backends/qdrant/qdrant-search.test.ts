/**
 * Contract tests of the Qdrant adapter's search against a recording HTTP server (see
 * `qdrant-fixture.ts`): the `query/batch` request, the metric learnt once, scores per metric,
 * and filters refused before sending.
 */
import { describe, expect, it } from 'vitest';
import { qdrantBackend } from '../../../../src/backends/qdrant/index.js';
import { qdrantPointId } from '../../../../src/backends/qdrant/qdrant-ids.js';
import { InvalidFilterError, type VecmeshError } from '../../../../src/core/errors.js';
import { parseFilter } from '../../../../src/core/filter.js';
import { ID, T, collectionInfo, routes, useQdrantBackend } from './qdrant-fixture.js';
import { ok } from './recording-server.js';

const qdrant = useQdrantBackend();

describe('qdrant adapter: search', () => {
  it('search learns the metric once, sends query/batch, squares Euclid distances', async () => {
    const { server, backend } = qdrant();
    server.respond(
      routes({
        'GET /collections/docs': ok(collectionInfo(2, 'Euclid')),
        'POST /collections/docs/points/query/batch': ok([
          {
            points: [
              { id: qdrantPointId('a'), version: 1, score: 0, payload: { [ID]: 'a' } },
              { id: qdrantPointId(7), version: 1, score: 2, payload: { [ID]: 7 } },
            ],
          },
          { points: [] },
        ]),
      }),
    );
    const request = {
      vectors: [Float32Array.of(1, 0), Float32Array.of(0, 1)],
      topK: 2,
      filter: parseFilter({ year: { $gte: 2020 } })!,
      includePayload: false,
      includeVector: false,
      params: { ef: 64, exact: true },
    };
    expect(await backend.search('docs', request)).toEqual([
      [
        { id: 'a', score: 0 },
        { id: 7, score: 4 },
      ],
      [],
    ]);
    await backend.search('docs', request);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /collections/docs',
      'POST /collections/docs/points/query/batch',
      'POST /collections/docs/points/query/batch',
    ]);
    const search = {
      limit: 2,
      with_payload: [ID],
      with_vector: false,
      filter: {
        must: [
          { key: 'year', range: { gte: 2020 } },
          { key: `${T}.year`, match: { value: 'n' } },
        ],
      },
      params: { hnsw_ef: 64, exact: true },
    };
    expect(server.requests[1]!.body).toEqual({
      searches: [
        { query: [1, 0], ...search },
        { query: [0, 1], ...search },
      ],
    });
  });

  it('search keeps cosine and dot scores, and returns payloads and vectors when asked', async () => {
    const { server, only } = qdrant();
    const backendIp = qdrantBackend({ url: server.url, ef: 99 });
    await backendIp.connect();
    server.respond(
      routes({
        'PUT /collections/docs': ok(true),
        'POST /collections/docs/points/query/batch': ok([
          {
            points: [
              {
                id: qdrantPointId('a'),
                version: 3,
                score: 2.5,
                payload: { t: 'x', [ID]: 'a', [T]: { t: 's' } },
                vector: [1, 0.5],
              },
            ],
          },
        ]),
      }),
    );
    await backendIp.createCollection('docs', { dimension: 2, metric: 'ip' });
    server.requests.length = 0;
    const hits = await backendIp.search('docs', {
      vectors: [Float32Array.of(1, 0)],
      topK: 1,
      includePayload: true,
      includeVector: true,
    });
    expect(hits).toEqual([[{ id: 'a', score: 2.5, payload: { t: 'x' }, vector: [1, 0.5] }]]);
    // The metric came from createCollection: no GET; `ef` is the option's default.
    expect(only().body).toEqual({
      searches: [
        { query: [1, 0], limit: 1, with_payload: true, with_vector: true, params: { hnsw_ef: 99 } },
      ],
    });
    await backendIp.close();
  });

  it('search refuses a string range before sending', async () => {
    const { server, backend } = qdrant();
    const err = await backend
      .search('docs', {
        vectors: [Float32Array.of(1, 0)],
        topK: 1,
        filter: parseFilter({ name: { $gt: 'b' } })!,
        includePayload: false,
        includeVector: false,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidFilterError);
    expect((err as VecmeshError).meta).toMatchObject({ operation: 'search', collection: 'docs' });
    expect(server.requests).toHaveLength(0);
  });
});

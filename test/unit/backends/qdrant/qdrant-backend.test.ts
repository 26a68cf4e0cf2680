/**
 * Contract tests of the Qdrant adapter against a recording HTTP server (a test double: no Qdrant
 * server can run where these tests run). They pin the exact requests the adapter sends for every
 * operation and parse answers in the shapes of Qdrant's OpenAPI document (as bundled with
 * `@qdrant/js-client-rest` 1.18.0). The conformance suite runs against a real Qdrant when
 * `QDRANT_URL` is set (`test/conformance/qdrant.test.ts`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { qdrantBackend, type QdrantBackend } from '../../../../src/backends/qdrant/index.js';
import { qdrantPointId } from '../../../../src/backends/qdrant/qdrant-ids.js';
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidFilterError,
  InvalidVectorError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
} from '../../../../src/core/errors.js';
import { parseFilter } from '../../../../src/core/filter.js';
import {
  fail,
  ok,
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
  type Reply,
} from './recording-server.js';

const T = '__vecmesh_types';
const ID = '__vecmesh_id';

/** Answers by `METHOD /path`; anything else is the 404 of an unknown route (empty body). */
function routes(table: Record<string, Reply | ((r: RecordedRequest) => Reply)>) {
  return (r: RecordedRequest): Reply => {
    const entry = table[`${r.method} ${r.path}`];
    if (entry === undefined) return { status: 404, text: '' };
    return typeof entry === 'function' ? entry(r) : entry;
  };
}

const collectionInfo = (size: number, distance: string, m = 16): unknown => ({
  status: 'green',
  optimizer_status: 'ok',
  points_count: 999, // approximate in Qdrant; describe must use an exact count instead
  segments_count: 1,
  config: {
    params: { vectors: { size, distance }, shard_number: 1, replication_factor: 1 },
    hnsw_config: { m, ef_construct: 100, full_scan_threshold: 10000 },
    optimizer_config: {},
  },
  payload_schema: {},
});

let server: RecordingServer;
let backend: QdrantBackend;

beforeEach(async () => {
  server = await startRecordingServer(routes({ 'GET /readyz': { text: 'all shards are ready' } }));
  backend = qdrantBackend({ url: server.url });
  await backend.connect();
  server.requests.length = 0;
});

afterEach(async () => {
  await backend.close();
  await server.stop();
});

const only = (): RecordedRequest => {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
};

describe('qdrant adapter: requests and answers', () => {
  it('does no I/O at construction, and connect probes GET /readyz', async () => {
    const other = qdrantBackend({ url: server.url, apiKey: 'secret' });
    expect(server.requests).toHaveLength(0);
    await other.connect();
    expect(only()).toMatchObject({ method: 'GET', path: '/readyz', body: undefined });
    expect(only().headers['api-key']).toBe('secret');
    await other.close();
  });

  it('createCollection sends PUT /collections/{name} with size and distance per metric', async () => {
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
    server.respond(routes({ 'GET /collections/named': ok(collectionInfo(4, 'Manhattan')) }));
    const err = await backend.describeCollection('named').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).retryable).toBe(false);
  });

  it("dropCollection sends DELETE and answers Qdrant's result", async () => {
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
    server.respond(
      routes({
        'GET /collections': ok({ collections: [{ name: 'zeta' }, { name: 'alpha' }] }),
      }),
    );
    expect(await backend.listCollections()).toEqual(['alpha', 'zeta']);
    expect(only()).toMatchObject({ method: 'GET', path: '/collections' });
  });

  it('upsert sends UUID ids, JSON vectors, the payload with the reserved keys, and wait=true', async () => {
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

  it('search learns the metric once, sends query/batch, squares Euclid distances', async () => {
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

  it('scanIds scrolls by UUID with next_page_offset as the cursor and answers original ids', async () => {
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

describe('qdrant adapter: errors', () => {
  const statuses: [Reply, new (...a: never[]) => VecmeshError, boolean, RegExp][] = [
    [
      fail(404, "Not found: Collection `docs` doesn't exist!"),
      CollectionNotFoundError,
      false,
      /^collection `docs` does not exist on Qdrant at http:/,
    ],
    [{ status: 404, text: '' }, BackendError, false, /no such route/],
    [
      fail(400, 'Wrong input: Vector dimension error: expected dim: 2, got 3'),
      InvalidArgumentError,
      false,
      /expected dim: 2/,
    ],
    [fail(422, 'Validation error in JSON body'), InvalidArgumentError, false, /Validation/],
    [fail(401, 'Must provide an API key'), BackendError, false, /API key/],
    [fail(403, 'Forbidden'), BackendError, false, /API key/],
    [fail(429, 'Too many requests'), RateLimitedError, true, /429/],
    [
      { ...fail(429, 'Too many requests'), headers: { 'retry-after': '2' } },
      RateLimitedError,
      true,
      /retry after 2/,
    ],
    [fail(408, 'Timeout'), TimeoutError, true, /408/],
    [fail(500, 'Service internal error'), UnavailableError, true, /internal/],
    [{ status: 502, text: '<html>Bad Gateway</html>' }, UnavailableError, true, /Bad Gateway/],
    [fail(503, 'Service unavailable'), UnavailableError, true, /503/],
    [{ status: 504, text: '' }, UnavailableError, true, /504/],
  ];

  it.each(statuses.map((s) => [String((s[0] as { status?: number }).status), ...s] as const))(
    'HTTP %s',
    async (_status, reply, type, retryable, message) => {
      server.respond(() => reply);
      const err = await backend.count('docs').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as VecmeshError).retryable).toBe(retryable);
      expect((err as VecmeshError).message).toMatch(message);
      expect((err as VecmeshError).meta).toEqual({
        backend: server.url,
        operation: 'count',
        collection: 'docs',
      });
      expect((err as VecmeshError).cause).toBeDefined();
    },
  );

  it('a refused connection is a retryable UnavailableError, and health says not ok', async () => {
    const gone = await startRecordingServer(() => ok(true));
    const url = gone.url;
    await gone.stop();
    const down = qdrantBackend({ url });
    await expect(down.connect()).rejects.toBeInstanceOf(UnavailableError);
    const err = await down.listCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as VecmeshError).retryable).toBe(true);
    expect((err as VecmeshError).message).toBe(`cannot reach Qdrant at ${url}: connection refused`);
    expect((err as VecmeshError).meta).toMatchObject({
      backend: url,
      operation: 'listCollections',
    });
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    const health = await down.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toBe(`cannot reach Qdrant at ${url}: connection refused`);
    await down.close();
  });

  it('a server that never answers: TimeoutError after timeoutMs', async () => {
    server.respond(() => ({ hang: true }));
    const slow = qdrantBackend({ url: server.url, timeoutMs: 50 });
    await slow.connect().catch(() => undefined);
    const err = await slow.count('docs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as VecmeshError).retryable).toBe(true);
    expect((err as VecmeshError).message).toMatch(/timeoutMs/);
    expect((err as VecmeshError).meta).toMatchObject({ operation: 'count', collection: 'docs' });
    await slow.close();
  });

  it('a call aborted in flight rejects with AbortedError, and the backend keeps working', async () => {
    server.respond(routes({ 'GET /collections': () => ({ hang: true }) }));
    const controller = new AbortController();
    const pending = backend.listCollections({ signal: controller.signal });
    await server.received(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    server.respond(routes({ 'GET /collections': ok({ collections: [] }) }));
    await expect(backend.listCollections()).resolves.toEqual([]);
  });

  it('a signal aborted for a timeout rejects with TimeoutError before sending', async () => {
    const signal = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    await expect(backend.count('docs', undefined, { signal })).rejects.toBeInstanceOf(TimeoutError);
    await expect(
      backend.count('docs', undefined, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(server.requests).toHaveLength(0);
  });

  it('an answer without result is a BackendError', async () => {
    server.respond(() => ({ json: { status: 'ok' } }));
    await expect(backend.count('docs')).rejects.toBeInstanceOf(BackendError);
  });
});

describe('qdrant adapter: lifecycle', () => {
  it('calls before connect and after close reject with ClosedError; close is idempotent', async () => {
    const fresh = qdrantBackend({ url: server.url });
    await expect(fresh.listCollections()).rejects.toBeInstanceOf(ClosedError);
    await fresh.connect();
    await fresh.connect();
    await fresh.close();
    await fresh.close();
    await expect(fresh.health()).rejects.toBeInstanceOf(ClosedError);
    await expect(fresh.count('docs')).rejects.toBeInstanceOf(ClosedError);
    await expect(fresh.connect()).rejects.toBeInstanceOf(ClosedError);
  });

  it('health answers ok from GET /readyz', async () => {
    server.respond(routes({ 'GET /readyz': { text: 'all shards are ready' } }));
    const health = await backend.health();
    expect(health.ok).toBe(true);
    expect(only().path).toBe('/readyz');
  });
});

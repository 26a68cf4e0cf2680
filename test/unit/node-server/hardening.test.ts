/**
 * The reference node's safe defaults: body parsing, size limits, API keys, prototype
 * pollution, clients too slow to send their request; after every bad request the node keeps
 * serving.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import { buildNodeServer, type NodeServer } from '../../../src/node/server/build-server.js';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  resolveNodeOptions,
} from '../../../src/node/server/server-options.js';
import { openStore } from '../../../src/node/store/index.js';
import type { VectorStore } from '../../../src/node/store/store-contract.js';
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

/** The longest wait for a slow client's answer and the end of its connection. */
const SOCKET_WAIT_MS = 10_000;

/**
 * Opens a TCP connection, writes `request` and nothing more, and collects what comes back until
 * the server closes the connection (an error past {@link SOCKET_WAIT_MS}).
 */
async function sendAndStall(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(request);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const timer = setTimeout(() => {
    socket.destroy(
      new Error(`the server did not close the connection within ${SOCKET_WAIT_MS} ms`),
    );
  }, SOCKET_WAIT_MS);
  try {
    await once(socket, 'close');
  } finally {
    clearTimeout(timer);
  }
  if (socket.errored !== null) throw socket.errored;
  return received;
}

/** The status and the JSON body of a raw HTTP answer. */
function parseAnswer(raw: string): { status: number; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  expect(head.toLowerCase()).toContain('connection: close');
  return { status, body: JSON.parse(body) as unknown };
}

describe('node server: slow clients', () => {
  let server: NodeServer;
  let store: VectorStore;
  let port: number;

  beforeEach(async () => {
    store = await openStore({});
    server = buildNodeServer(store, { headersTimeoutMs: 200, requestTimeoutMs: 300 });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('answers 408 to a body that stalls, and closes the connection', async () => {
    const raw = await sendAndStall(
      port,
      'PUT /collections/docs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"dimensio',
    );
    const answer = parseAnswer(raw);
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual({
      error: {
        code: 'VECMESH_ERR_TIMEOUT',
        message: expect.stringMatching(/all of it within 300 ms/) as unknown,
      },
    });
    // The request never reached the store, and the node goes on serving.
    expect(store.listCollections()).toEqual([]);
    await expectServing(server.app);
  });

  it('answers 408 to headers that never end, and closes the connection', async () => {
    const raw = await sendAndStall(port, 'GET /collections HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slo');
    const answer = parseAnswer(raw);
    expect(answer.status).toBe(408);
    expect(answer.body).toMatchObject({ error: { code: 'VECMESH_ERR_TIMEOUT' } });
    await expectServing(server.app);
  });

  it('a request answered before its body was read gets one answer; the stalled body closes the connection', async () => {
    const raw = await sendAndStall(
      port,
      'PUT /collections/docs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\ndimensio',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 415 /);
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    await expectServing(server.app);
  });

  it('serves a client that sends its request in time', async () => {
    const body = JSON.stringify({ dimension: 2, metric: 'l2' });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.end(
      `PUT /collections/docs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 201/);
    expect(store.listCollections()).toEqual(['docs']);
  });
});

describe('node server: request timeout options', () => {
  it('default to 10 s for the headers and 30 s for the whole request', () => {
    expect(resolveNodeOptions()).toMatchObject({
      headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    });
    expect([DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS]).toEqual([10_000, 30_000]);
    // A shorter request timeout takes the headers timeout down with it.
    expect(resolveNodeOptions({ requestTimeoutMs: 2000 })).toMatchObject({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 2000,
    });
  });

  it.each([
    [{ headersTimeoutMs: 0 }, /`headersTimeoutMs`/],
    [{ requestTimeoutMs: 1.5 }, /`requestTimeoutMs`/],
    [{ requestTimeoutMs: 2 ** 31 }, /`requestTimeoutMs`/],
    [{ headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, /must not be larger/],
  ])('rejects %o', async (options, message) => {
    expect(() => resolveNodeOptions(options)).toThrow(InvalidOptionError);
    expect(() => resolveNodeOptions(options)).toThrow(message);
    const memory = await openStore({});
    try {
      expect(() => buildNodeServer(memory, options)).toThrow(message);
    } finally {
      await memory.close();
    }
  });
});

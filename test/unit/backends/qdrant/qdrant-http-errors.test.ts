/**
 * The Qdrant adapter's errors against a recording HTTP server (see `qdrant-fixture.ts`): each
 * HTTP status as its error class, retryability, message and meta; a refused connection, a
 * server that never answers, aborted calls and an answer without `result`.
 */
import { describe, expect, it } from 'vitest';
import { qdrantBackend } from '../../../../src/backends/qdrant/index.js';
import {
  AbortedError,
  BackendError,
  CollectionNotFoundError,
  InvalidArgumentError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
} from '../../../../src/core/errors.js';
import { routes, useQdrantBackend } from './qdrant-fixture.js';
import { fail, ok, startRecordingServer, type Reply } from './recording-server.js';

const qdrant = useQdrantBackend();

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
      const { server, backend } = qdrant();
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
    const { server } = qdrant();
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
    const { server, backend } = qdrant();
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
    const { server, backend } = qdrant();
    const signal = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    await expect(backend.count('docs', undefined, { signal })).rejects.toBeInstanceOf(TimeoutError);
    await expect(
      backend.count('docs', undefined, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(server.requests).toHaveLength(0);
  });

  it('an answer without result is a BackendError', async () => {
    const { server, backend } = qdrant();
    server.respond(() => ({ json: { status: 'ok' } }));
    await expect(backend.count('docs')).rejects.toBeInstanceOf(BackendError);
  });
});

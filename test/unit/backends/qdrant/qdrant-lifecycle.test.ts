/**
 * The Qdrant adapter's lifecycle against a recording HTTP server (see `qdrant-fixture.ts`): no
 * I/O at construction, the `GET /readyz` probe of connect and health, and `ClosedError` before
 * connect and after close.
 */
import { describe, expect, it } from 'vitest';
import { qdrantBackend } from '../../../../src/backends/qdrant/index.js';
import { ClosedError } from '../../../../src/core/errors.js';
import { routes, useQdrantBackend } from './qdrant-fixture.js';

const qdrant = useQdrantBackend();

describe('qdrant adapter: lifecycle', () => {
  it('does no I/O at construction, and connect probes GET /readyz', async () => {
    const { server, only } = qdrant();
    const other = qdrantBackend({ url: server.url, apiKey: 'secret' });
    expect(server.requests).toHaveLength(0);
    await other.connect();
    expect(only()).toMatchObject({ method: 'GET', path: '/readyz', body: undefined });
    expect(only().headers['api-key']).toBe('secret');
    await other.close();
  });

  it('calls before connect and after close reject with ClosedError; close is idempotent', async () => {
    const { server } = qdrant();
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
    const { server, backend, only } = qdrant();
    server.respond(routes({ 'GET /readyz': { text: 'all shards are ready' } }));
    const health = await backend.health();
    expect(health.ok).toBe(true);
    expect(only().path).toBe('/readyz');
  });
});

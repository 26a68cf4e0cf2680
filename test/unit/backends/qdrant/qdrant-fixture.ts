/**
 * What the contract tests of the Qdrant adapter share: a recording server (a test double: no
 * Qdrant server can run where these tests run) and a backend connected to it, fresh for each
 * test, and answers in the shapes of Qdrant's OpenAPI document (as bundled with
 * `@qdrant/js-client-rest` 1.18.0). The conformance suite runs against a real Qdrant when
 * `QDRANT_URL` is set (`test/conformance/qdrant.test.ts`).
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { qdrantBackend, type QdrantBackend } from '../../../../src/backends/qdrant/index.js';
import {
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
  type Reply,
} from './recording-server.js';

// Spelt out rather than imported from the adapter: the tests pin what goes over the wire.
/** The reserved payload key of the payload's field types. */
export const T = '__vecmesh_types';
/** The reserved payload key of the original id. */
export const ID = '__vecmesh_id';

/**
 * Answers by `METHOD /path`; anything else is the 404 of an unknown route (empty body).
 *
 * @example
 * ```ts
 * server.respond(routes({ 'PUT /collections/docs': ok(true) }));
 * ```
 */
export function routes(table: Record<string, Reply | ((r: RecordedRequest) => Reply)>) {
  return (r: RecordedRequest): Reply => {
    const entry = table[`${r.method} ${r.path}`];
    if (entry === undefined) return { status: 404, text: '' };
    return typeof entry === 'function' ? entry(r) : entry;
  };
}

/**
 * Qdrant's answer to `GET /collections/{name}` for one unnamed vector.
 *
 * @example
 * ```ts
 * server.respond(routes({ 'GET /collections/docs': ok(collectionInfo(3, 'Euclid')) }));
 * ```
 */
export const collectionInfo = (size: number, distance: string, m = 16): unknown => ({
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

/** What each test gets. */
export interface QdrantFixture {
  /** The recording server; it has recorded nothing yet when the test starts. */
  readonly server: RecordingServer;
  /** A backend connected to it. */
  readonly backend: QdrantBackend;
  /** The one request the server has recorded (fails the test when there are more or none). */
  readonly only: () => RecordedRequest;
}

/**
 * Registers hooks that start a recording server answering `GET /readyz` and connect a backend
 * to it before each test, and close both after.
 *
 * @returns A getter for the current fixture.
 *
 * @example
 * ```ts
 * const qdrant = useQdrantBackend();
 * it('lists', async () => {
 *   const { backend } = qdrant();
 *   await backend.listCollections();
 * });
 * ```
 */
export function useQdrantBackend(): () => QdrantFixture {
  let current: QdrantFixture | undefined;
  beforeEach(async () => {
    const server = await startRecordingServer(
      routes({ 'GET /readyz': { text: 'all shards are ready' } }),
    );
    const backend = qdrantBackend({ url: server.url });
    await backend.connect();
    server.requests.length = 0;
    const only = (): RecordedRequest => {
      expect(server.requests).toHaveLength(1);
      return server.requests[0]!;
    };
    current = { server, backend, only };
  });
  afterEach(async () => {
    if (current === undefined) return;
    await current.backend.close();
    await current.server.stop();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('no Qdrant backend in this test');
    return current;
  };
}

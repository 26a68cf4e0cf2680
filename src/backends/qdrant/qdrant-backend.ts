/**
 * The Qdrant adapter: the `VectorBackend` contract over Qdrant's REST API through
 * `@qdrant/js-client-rest` (`docs/qdrant.md` describes the mapping).
 *
 * Collections, their specs and their requests live in `qdrant-collections.ts`; points and hits
 * are mapped in `qdrant-points.ts` and sent in `qdrant-point-requests.ts`; searches live in
 * `qdrant-search.ts`, scan pages in `qdrant-scan.ts`. This class checks each call's arguments
 * and lifecycle, then hands the requests over with the call's `send`.
 *
 * `@qdrant/js-client-rest` is an optional peer dependency: it is loaded by the constructor (see
 * `core/optional-dependency.ts`), so that importing `vecmesh/qdrant` works without it.
 *
 * @module
 */
import {
  CollectionNotFoundError,
  InvalidArgumentError,
  VecmeshError,
  describeValue,
  type ErrorMeta,
} from '../../core/errors.js';
import { validateCollectionSpec } from '../../core/collection-spec.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { loadOptional } from '../../core/optional-dependency.js';
import { isPlainObject } from '../../core/payload.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';
import { checkArray, checkName } from '../argument-checks.js';
import type {
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../backend.js';
import { timedProbe } from '../health.js';
import { BackendLifecycle } from '../lifecycle.js';
import { QdrantCollections } from './qdrant-collections.js';
import { compileFilter } from './qdrant-filter.js';
import { QdrantHttp, type QdrantRequest, type QdrantSend } from './qdrant-http.js';
import { qdrantPointIds } from './qdrant-ids.js';
import { resolveQdrantOptions, type QdrantBackendOptions } from './qdrant-options.js';
import { countPoints, readPoints, writeInChunks } from './qdrant-point-requests.js';
import { toQdrantPoints } from './qdrant-points.js';
import { scanPage } from './qdrant-scan.js';
import { runSearch, searchBody } from './qdrant-search.js';

/**
 * A `VectorBackend` for one Qdrant server (1.10 or later: searches use the query API).
 *
 * Lifecycle: the constructor loads the client library, and does no I/O and no version check.
 * `connect()` checks `GET /readyz`; when the server does not answer it rejects with
 * `UnavailableError` but stays usable, so that calls succeed once the server is up. Calls before
 * `connect()` and after `close()` reject with `ClosedError`; `close()` is final.
 *
 * Errors: a missing collection is a `CollectionNotFoundError` (`collection \`docs\` does not
 * exist on Qdrant at URL`), a collection with another dimension or metric a
 * `CollectionConflictError`, a refused request (400/422) an `InvalidArgumentError`; a server
 * that cannot be reached (`cannot reach Qdrant at URL: connection refused`) and 5xx answers are
 * a retryable `UnavailableError`, 429 a retryable `RateLimitedError`, slow answers a
 * `TimeoutError`. Every error carries `meta.backend` (the server's URL), `meta.operation` and
 * `meta.collection`, and what the client threw as its `cause`.
 *
 * @example
 * ```ts
 * const backend = qdrantBackend({ url: 'http://127.0.0.1:6333', apiKey: process.env.QDRANT_API_KEY });
 * await backend.connect();
 * await backend.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await backend.upsert('docs', [{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * await backend.close();
 * ```
 */
export class QdrantBackend implements VectorBackend, AsyncDisposable {
  /** Always `qdrant`. */
  readonly kind = 'qdrant';
  /** The server's origin with its port, e.g. `http://127.0.0.1:6333`. */
  readonly endpoint: string;
  /** The request limits, frozen. */
  readonly capabilities: BackendCapabilities;

  private readonly life: BackendLifecycle;
  private readonly http: QdrantHttp;
  private readonly ef: number | undefined;
  private readonly collections: QdrantCollections;

  /**
   * @param options - URL, API key, connections, timeout, `ef` and capabilities.
   * @throws `InvalidOptionError` when an option is invalid.
   * @throws `MissingDependencyError` when `@qdrant/js-client-rest` is not installed (the
   *   message names it and the `npm install` command).
   */
  constructor(options: QdrantBackendOptions) {
    const resolved = resolveQdrantOptions(options);
    // Here rather than on the first call: a missing client shows where the backend is configured.
    const { QdrantClient } = loadOptional(
      '@qdrant/js-client-rest',
      '`qdrantBackend()` (vecmesh/qdrant)',
    );
    this.endpoint = resolved.origin;
    this.life = new BackendLifecycle(this.endpoint);
    this.capabilities = resolved.capabilities;
    this.ef = resolved.ef;
    this.http = new QdrantHttp(resolved, QdrantClient);
    this.collections = new QdrantCollections(this.endpoint);
  }

  /**
   * Opens the backend and checks that the server is ready (`GET /readyz`). Idempotent.
   *
   * @throws `UnavailableError` when the server does not answer (the backend stays open).
   * @throws `ClosedError` after `close()`.
   */
  async connect(options?: CallOptions): Promise<void> {
    const meta = this.life.meta('connect');
    this.life.open(options?.signal, meta);
    await this.http.probe(meta, options?.signal);
  }

  /** Closes the connection pool; every later call rejects with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.life.close();
    this.collections.clear();
    await this.http.close();
  }

  /** Same as {@link QdrantBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Probes `GET /readyz`. Answers `ok: false` with a detail when the server is down or not ready.
   *
   * @throws `ClosedError` after `close()`; `AbortedError` when the signal aborts.
   */
  async health(options?: CallOptions): Promise<HealthStatus> {
    const meta = this.life.meta('health');
    this.life.check(options?.signal, meta);
    return timedProbe(options?.signal, async () => {
      await this.http.probe(meta, options?.signal);
      return undefined;
    });
  }

  /**
   * Creates a collection (`PUT /collections/{name}` with `vectors: { size, distance }`). When it
   * exists (409), reads it back: the same dimension and metric is success, others a
   * `CollectionConflictError`. `index.type: 'flat'` is `hnsw_config.m: 0` (no graph: exact
   * search); `m` and `efConstruction` become `hnsw_config.m` and `ef_construct`.
   */
  async createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    const meta = this.life.meta('createCollection', name);
    const valid = this.guard(meta, () => validateCollectionSpec(spec));
    await this.collections.create(this.sender(meta, options), name, valid, meta);
  }

  /** Drops a collection (`DELETE /collections/{name}`); `false` when there was none. */
  async dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    const meta = this.life.meta('dropCollection', name);
    return this.collections.drop(this.sender(meta, options), name, meta);
  }

  /** Describes a collection: its spec (`GET /collections/{name}`) and an exact count. */
  async describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    const meta = this.life.meta('describeCollection', name);
    const send = this.sender(meta, options);
    const spec = await this.collections.spec(send, name, meta);
    // `spec` has checked the name.
    const count = await countPoints(send, name, undefined, meta);
    return { name, ...spec, count };
  }

  /** Lists collection names (`GET /collections`), sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const meta = this.life.meta('listCollections');
    return this.collections.list(this.sender(meta, options));
  }

  /**
   * Inserts or replaces points (`PUT /collections/{name}/points?wait=true`, so that they are
   * visible to the next read). The batch is validated whole first; a batch larger than
   * `capabilities.maxPointsPerRequest` goes in several requests (then it is not all or nothing).
   */
  async upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    const meta = this.life.meta('upsert', collection);
    const name = checkName(collection, meta);
    const list = this.guard(meta, () => toQdrantPoints(checkArray(points, 'points', meta)));
    this.life.check(options?.signal, meta);
    const max = this.capabilities.maxPointsPerRequest;
    await writeInChunks(this.sender(meta, options), list, max, (api, points, init) =>
      api.upsertPoints({ collection_name: name, wait: true, points }, init),
    );
  }

  /** Deletes points by id (`POST /collections/{name}/points/delete?wait=true`); missing ids are ignored. */
  async delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    const meta = this.life.meta('delete', collection);
    const name = checkName(collection, meta);
    const uuids = qdrantPointIds(ids, meta);
    this.life.check(options?.signal, meta);
    const max = this.capabilities.maxPointsPerRequest;
    await writeInChunks(this.sender(meta, options), uuids, max, (api, points, init) =>
      api.deletePoints({ collection_name: name, wait: true, points }, init),
    );
  }

  /**
   * Reads points by id (`POST /collections/{name}/points`), in the order asked, without missing
   * or repeated ids. Under `cosine`, Qdrant stores (and returns) vectors scaled to unit length.
   */
  async get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    const meta = this.life.meta('get', collection);
    const name = checkName(collection, meta);
    const uuids = qdrantPointIds(ids, meta);
    const withVector = request?.includeVector === true;
    this.life.check(options?.signal, meta);
    const max = this.capabilities.maxPointsPerRequest;
    return readPoints(this.sender(meta, options), name, uuids, withVector, max, meta);
  }

  /** Counts points exactly (`POST /collections/{name}/points/count` with `exact: true`). */
  async count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    const meta = this.life.meta('count', collection);
    const name = checkName(collection, meta);
    const compiled =
      filter === undefined ? undefined : this.guard(meta, () => compileFilter(filter));
    return countPoints(this.sender(meta, options), name, compiled, meta);
  }

  /**
   * Batched search through the query API (`POST /collections/{name}/points/query/batch`), one
   * search per query vector with `limit`, `filter`, `params` (`hnsw_ef` from `params.ef` or the
   * `ef` option, `exact`), `with_payload` and `with_vector`. More than
   * `capabilities.maxQueriesPerRequest` vectors go in several requests.
   */
  async search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    const meta = this.life.meta('search', collection);
    const name = checkName(collection, meta);
    if (!isPlainObject(request)) {
      throw new InvalidArgumentError(
        `\`request\` must be an object, received ${describeValue(request)}`,
        { meta },
      );
    }
    const body = this.guard(meta, () => searchBody(request, this.capabilities.maxTopK, this.ef));
    this.life.check(options?.signal, meta);
    if (body.vectors.length === 0) return [];
    const send = this.sender(meta, options);
    const metric = await this.collections.metric(send, name, meta);
    const max = this.capabilities.maxQueriesPerRequest;
    return runSearch(send, name, request, body, metric, max, meta);
  }

  /**
   * One page of ids in Qdrant's scroll order (by point UUID), through
   * `POST /collections/{name}/points/scroll`; the cursor is Qdrant's `next_page_offset`.
   */
  async scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    const meta = this.life.meta('scanIds', collection);
    const name = checkName(collection, meta);
    return scanPage(this.sender(meta, options), name, page, meta);
  }

  /**
   * The requests of one call: each checks the lifecycle and the signal before it is sent, and a
   * missing collection forgets its cached metric.
   */
  private sender(meta: ErrorMeta, options: CallOptions | undefined): QdrantSend {
    return async <T>(request: QdrantRequest): Promise<T> => {
      this.life.check(options?.signal, meta);
      try {
        return await this.http.call<T>(meta, options?.signal, request);
      } catch (err) {
        if (err instanceof CollectionNotFoundError && meta.collection !== undefined) {
          this.collections.forget(meta.collection);
        }
        throw err;
      }
    };
  }

  /** Runs a validation and adds the call's meta to what it throws. */
  private guard<T>(meta: ErrorMeta, run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (err instanceof VecmeshError) throw err.withMeta(meta);
      throw err;
    }
  }
}

/**
 * Creates a {@link QdrantBackend}.
 *
 * @param options - `url` of Qdrant's REST API, and optionally `apiKey`, `connections`,
 *   `timeoutMs`, `ef`, `capabilities`.
 * @default options.connections 16
 * @default options.timeoutMs 30000
 * @returns A backend; call `connect()` before using it.
 * @throws `InvalidOptionError` when an option is invalid.
 * @throws `MissingDependencyError` when `@qdrant/js-client-rest` is not installed: `npm install
 *   @qdrant/js-client-rest` (an optional peer dependency of vecmesh). Importing `vecmesh/qdrant`
 *   does not need it; creating a backend does.
 *
 * @example
 * ```ts
 * import { createMesh } from 'vecmesh';
 * import { qdrantBackend } from 'vecmesh/qdrant';
 *
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [
 *   { replicas: [{ backend: qdrantBackend({ url: 'http://127.0.0.1:6333' }) }] },
 * ] }] });
 * ```
 */
export function qdrantBackend(options: QdrantBackendOptions): QdrantBackend {
  return new QdrantBackend(options);
}

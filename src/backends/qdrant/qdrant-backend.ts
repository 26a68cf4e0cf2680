/**
 * The Qdrant adapter: the `VectorBackend` contract over Qdrant's REST API through
 * `@qdrant/js-client-rest` (`docs/qdrant.md` describes the mapping).
 *
 * Collections and their specs are mapped in `qdrant-collections.ts`, points and hits in
 * `qdrant-points.ts`, searches in `qdrant-search.ts`, scan pages in `qdrant-scan.ts`.
 *
 * `@qdrant/js-client-rest` is an optional peer dependency: it is loaded by the constructor (see
 * `core/optional-dependency.ts`), so that importing `vecmesh/qdrant` works without it.
 *
 * @module
 */
import {
  CollectionConflictError,
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
  Metric,
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
import {
  collectionConfig,
  collectionNamesOf,
  specOf,
  type QdrantCollectionAnswer,
} from './qdrant-collections.js';
import { unexpectedAnswer } from './qdrant-errors.js';
import { compileFilter } from './qdrant-filter.js';
import { QdrantHttp, type QdrantApi, type QdrantInit } from './qdrant-http.js';
import { QDRANT_ID_KEY, qdrantPointIds } from './qdrant-ids.js';
import { resolveQdrantOptions, type QdrantBackendOptions } from './qdrant-options.js';
import { hitListsOf, idOf, recordsOf, toQdrantPoints, toStoredPoint } from './qdrant-points.js';
import { nextCursorOf, scrollOf } from './qdrant-scan.js';
import { searchBody } from './qdrant-search.js';

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
  // Scores need the metric (Euclid answers distances); learnt from create and describe.
  private readonly metrics = new Map<string, Metric>();

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
    this.metrics.clear();
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
    const config = collectionConfig(valid);
    try {
      await this.send<boolean>(meta, options, (api, init) =>
        api.createCollection({ collection_name: checkName(name, meta), ...config }, init),
      );
    } catch (err) {
      // Qdrant before 1.8 answered 400 "already exists" where later ones answer 409.
      const exists =
        err instanceof CollectionConflictError ||
        (err instanceof InvalidArgumentError && /already exists/i.test(err.message));
      if (!exists) throw err;
      const existing = await this.readSpec(name, meta, options);
      if (existing.dimension !== valid.dimension || existing.metric !== valid.metric) {
        throw new CollectionConflictError(
          `${this.endpoint}: collection \`${name}\` exists with dimension ${existing.dimension} and metric ${existing.metric}, not ${valid.dimension} and ${valid.metric}`,
          { meta, cause: err },
        );
      }
      return;
    }
    this.metrics.set(name, valid.metric);
  }

  /** Drops a collection (`DELETE /collections/{name}`); `false` when there was none. */
  async dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    const meta = this.life.meta('dropCollection', name);
    const collection = checkName(name, meta);
    this.metrics.delete(name);
    try {
      const dropped = await this.send<unknown>(meta, options, (api, init) =>
        api.deleteCollection({ collection_name: collection }, init),
      );
      return dropped === true;
    } catch (err) {
      // Qdrant answers 200 `result: false` for a missing collection; accept a 404 too.
      if (err instanceof CollectionNotFoundError) return false;
      throw err;
    }
  }

  /** Describes a collection: its spec (`GET /collections/{name}`) and an exact count. */
  async describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    const meta = this.life.meta('describeCollection', name);
    const spec = await this.readSpec(name, meta, options);
    const count = await this.countPoints(name, undefined, meta, options);
    return { name, ...spec, count };
  }

  /** Lists collection names (`GET /collections`), sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const meta = this.life.meta('listCollections');
    const answer = await this.send<{ collections?: unknown }>(meta, options, (api, init) =>
      api.getCollections({}, init),
    );
    return collectionNamesOf(answer);
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
    for (const chunk of chunks(list, this.capabilities.maxPointsPerRequest)) {
      await this.send(meta, options, (api, init) =>
        api.upsertPoints({ collection_name: name, wait: true, points: chunk }, init),
      );
    }
  }

  /** Deletes points by id (`POST /collections/{name}/points/delete?wait=true`); missing ids are ignored. */
  async delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    const meta = this.life.meta('delete', collection);
    const name = checkName(collection, meta);
    const uuids = qdrantPointIds(ids, meta);
    this.life.check(options?.signal, meta);
    for (const chunk of chunks(uuids, this.capabilities.maxPointsPerRequest)) {
      await this.send(meta, options, (api, init) =>
        api.deletePoints({ collection_name: name, wait: true, points: chunk }, init),
      );
    }
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
    const found = new Map<string, StoredPoint>();
    for (const chunk of chunks(uuids, this.capabilities.maxPointsPerRequest)) {
      const records = await this.send<unknown>(meta, options, (api, init) =>
        api.getPoints(
          { collection_name: name, ids: chunk, with_payload: true, with_vector: withVector },
          init,
        ),
      );
      for (const record of recordsOf(records, meta)) {
        found.set(String(record.id), toStoredPoint(record, withVector, this.endpoint));
      }
    }
    return uuids.flatMap((uuid) => {
      const point = found.get(uuid);
      return point === undefined ? [] : [point];
    });
  }

  /** Counts points exactly (`POST /collections/{name}/points/count` with `exact: true`). */
  count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    return this.countPoints(collection, filter, this.life.meta('count', collection), options);
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
    const metric = await this.metricOf(name, meta, options);
    const includePayload = request.includePayload;
    const includeVector = request.includeVector;
    const out: Hit[][] = [];
    for (const chunk of chunks(body.vectors, this.capabilities.maxQueriesPerRequest)) {
      const searches = chunk.map((query) => ({ query, ...body.fields }));
      const answer = await this.send<unknown>(meta, options, (api, init) =>
        api.queryBatchPoints({ collection_name: name, searches }, init),
      );
      out.push(...hitListsOf(answer, chunk.length, metric, includePayload, includeVector, meta));
    }
    return out;
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
    const { limit, offset } = scrollOf(page, meta);
    const answer = await this.send<{ points?: unknown; next_page_offset?: unknown }>(
      meta,
      options,
      (api, init) =>
        api.scrollPoints(
          {
            collection_name: name,
            limit,
            with_payload: [QDRANT_ID_KEY],
            with_vector: false,
            ...(offset === undefined ? {} : { offset }),
          },
          init,
        ),
    );
    const ids = recordsOf(answer.points, meta).map(idOf);
    const nextCursor = nextCursorOf(answer.next_page_offset);
    return nextCursor === undefined ? { ids } : { ids, nextCursor };
  }

  private async countPoints(
    collection: string,
    filter: FilterNode | undefined,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<number> {
    const name = checkName(collection, meta);
    const compiled =
      filter === undefined ? undefined : this.guard(meta, () => compileFilter(filter));
    const answer = await this.send<{ count?: unknown }>(meta, options, (api, init) =>
      api.countPoints(
        {
          collection_name: name,
          exact: true,
          ...(compiled === undefined ? {} : { filter: compiled }),
        },
        init,
      ),
    );
    if (typeof answer.count !== 'number') throw unexpectedAnswer(meta, 'no `count`');
    return answer.count;
  }

  /** The dimension, metric and index of an existing collection; remembers the metric. */
  private async readSpec(
    collection: string,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<CollectionSpec> {
    const name = checkName(collection, meta);
    const info = await this.send<QdrantCollectionAnswer>(meta, options, (api, init) =>
      api.getCollection({ collection_name: name }, init),
    );
    const spec = specOf(info, collection, this.endpoint, meta);
    this.metrics.set(collection, spec.metric);
    return spec;
  }

  private async metricOf(
    collection: string,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<Metric> {
    return this.metrics.get(collection) ?? (await this.readSpec(collection, meta, options)).metric;
  }

  /**
   * Checks the lifecycle and the signal, then sends one request; a missing collection forgets
   * its cached metric.
   */
  private async send<T>(
    meta: ErrorMeta,
    options: CallOptions | undefined,
    request: (api: QdrantApi, init: QdrantInit) => Promise<{ data: unknown }>,
  ): Promise<T> {
    this.life.check(options?.signal, meta);
    try {
      return await this.http.call<T>(meta, options?.signal, request);
    } catch (err) {
      if (err instanceof CollectionNotFoundError && meta.collection !== undefined) {
        this.metrics.delete(meta.collection);
      }
      throw err;
    }
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

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
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

/**
 * The Qdrant adapter: the `VectorBackend` contract over Qdrant's REST API through
 * `@qdrant/js-client-rest` (`docs/qdrant.md` describes the mapping).
 *
 * @module
 */
import {
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  VecmeshError,
  describeValue,
  type ErrorMeta,
} from '../../core/errors.js';
import { validateCollectionSpec } from '../../core/collection-spec.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { validateId } from '../../core/ids.js';
import { isPlainObject } from '../../core/payload.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  IndexSpec,
  Metric,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { throwIfAborted } from '../abort.js';
import type {
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../backend.js';
import { compileFilter } from './qdrant-filter.js';
import { QdrantHttp, type QdrantApi, type QdrantInit } from './qdrant-http.js';
import { QDRANT_ID_KEY, qdrantPointId } from './qdrant-ids.js';
import { resolveQdrantOptions, type QdrantBackendOptions } from './qdrant-options.js';
import { idOf, toHit, toQdrantPoints, toStoredPoint, type QdrantRecord } from './qdrant-points.js';

const DISTANCE: Readonly<Record<Metric, 'Cosine' | 'Euclid' | 'Dot'>> = {
  cosine: 'Cosine',
  l2: 'Euclid',
  ip: 'Dot',
};

const METRIC_OF: Readonly<Record<string, Metric | undefined>> = {
  Cosine: 'cosine',
  Euclid: 'l2',
  Dot: 'ip',
};

/** A cursor of `scanIds`: Qdrant's `next_page_offset`, a UUID or an unsigned integer. */
const CURSOR_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,20})$/;

/** What the adapter reads of Qdrant's `CollectionInfo`. */
interface CollectionAnswer {
  config?: {
    params?: { vectors?: unknown };
    hnsw_config?: { m?: unknown; ef_construct?: unknown };
  };
}

/**
 * A `VectorBackend` for one Qdrant server (1.10 or later: searches use the query API).
 *
 * Lifecycle: the constructor does no I/O and no version check. `connect()` checks
 * `GET /readyz`; when the server does not answer it rejects with `UnavailableError` but stays
 * usable, so that calls succeed once the server is up. Calls before `connect()` and after
 * `close()` reject with `ClosedError`; `close()` is final.
 *
 * Errors: a missing collection is a `CollectionNotFoundError`, a collection with another
 * dimension or metric a `CollectionConflictError`, a refused request (400/422) an
 * `InvalidArgumentError`; refused or reset connections and 5xx answers are a retryable
 * `UnavailableError`, 429 a retryable `RateLimitedError`, slow answers a `TimeoutError`. Every
 * error carries `meta.backend` (the server's URL), `meta.operation` and `meta.collection`, and
 * what the client threw as its `cause`.
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

  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly http: QdrantHttp;
  private readonly ef: number | undefined;
  // Scores need the metric (Euclid answers distances); learnt from create and describe.
  private readonly metrics = new Map<string, Metric>();

  /**
   * @param options - URL, API key, connections, timeout, `ef` and capabilities.
   * @throws `InvalidOptionError` when an option is invalid.
   */
  constructor(options: QdrantBackendOptions) {
    const resolved = resolveQdrantOptions(options);
    this.endpoint = resolved.origin;
    this.capabilities = resolved.capabilities;
    this.ef = resolved.ef;
    this.http = new QdrantHttp(resolved);
  }

  /**
   * Opens the backend and checks that the server is ready (`GET /readyz`). Idempotent.
   *
   * @throws `UnavailableError` when the server does not answer (the backend stays open).
   * @throws `ClosedError` after `close()`.
   */
  async connect(options?: CallOptions): Promise<void> {
    const meta = this.meta('connect');
    throwIfAborted(options?.signal, this.endpoint, meta);
    if (this.state === 'closed') throw this.closedError('connect');
    this.state = 'open';
    await this.http.probe(meta, options?.signal);
  }

  /** Closes the connection pool; every later call rejects with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.state = 'closed';
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
    const meta = this.meta('health');
    this.check(options, meta);
    const started = performance.now();
    try {
      await this.http.probe(meta, options?.signal);
      return { ok: true, latencyMs: performance.now() - started };
    } catch (err) {
      if (options?.signal?.aborted === true) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, latencyMs: performance.now() - started, detail };
    }
  }

  /**
   * Creates a collection (`PUT /collections/{name}` with `vectors: { size, distance }`). When it
   * exists (409), reads it back: the same dimension and metric is success, others a
   * `CollectionConflictError`. `index.type: 'flat'` is `hnsw_config.m: 0` (no graph: exact
   * search); `m` and `efConstruction` become `hnsw_config.m` and `ef_construct`.
   */
  async createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    const meta = this.meta('createCollection', name);
    const valid = this.guard(meta, () => validateCollectionSpec(spec));
    const hnsw = hnswConfig(valid.index);
    try {
      await this.send<boolean>(meta, options, (api, init) =>
        api.createCollection(
          {
            collection_name: this.name(name, meta),
            vectors: { size: valid.dimension, distance: DISTANCE[valid.metric] },
            ...(hnsw === undefined ? {} : { hnsw_config: hnsw }),
          },
          init,
        ),
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
    const meta = this.meta('dropCollection', name);
    const collection = this.name(name, meta);
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
    const meta = this.meta('describeCollection', name);
    const spec = await this.readSpec(name, meta, options);
    const count = await this.countPoints(name, undefined, meta, options);
    return { name, ...spec, count };
  }

  /** Lists collection names (`GET /collections`), sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const meta = this.meta('listCollections');
    const answer = await this.send<{ collections?: unknown }>(meta, options, (api, init) =>
      api.getCollections({}, init),
    );
    const list = Array.isArray(answer.collections) ? (answer.collections as unknown[]) : [];
    return list
      .map((c) => (isPlainObject(c) && typeof c.name === 'string' ? c.name : undefined))
      .filter((n): n is string => n !== undefined)
      .sort();
  }

  /**
   * Inserts or replaces points (`PUT /collections/{name}/points?wait=true`, so that they are
   * visible to the next read). The batch is validated whole first; a batch larger than
   * `capabilities.maxPointsPerRequest` goes in several requests (then it is not all or nothing).
   */
  async upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    const meta = this.meta('upsert', collection);
    const name = this.name(collection, meta);
    const list = this.guard(meta, () => toQdrantPoints(this.array(points, 'points', meta)));
    this.check(options, meta);
    for (const chunk of chunks(list, this.capabilities.maxPointsPerRequest)) {
      await this.send(meta, options, (api, init) =>
        api.upsertPoints({ collection_name: name, wait: true, points: chunk }, init),
      );
    }
  }

  /** Deletes points by id (`POST /collections/{name}/points/delete?wait=true`); missing ids are ignored. */
  async delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    const meta = this.meta('delete', collection);
    const name = this.name(collection, meta);
    const uuids = this.uuids(ids, meta);
    this.check(options, meta);
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
    const meta = this.meta('get', collection);
    const name = this.name(collection, meta);
    const uuids = this.uuids(ids, meta);
    const withVector = request?.includeVector === true;
    this.check(options, meta);
    const found = new Map<string, StoredPoint>();
    for (const chunk of chunks(uuids, this.capabilities.maxPointsPerRequest)) {
      const records = await this.send<unknown>(meta, options, (api, init) =>
        api.getPoints(
          { collection_name: name, ids: chunk, with_payload: true, with_vector: withVector },
          init,
        ),
      );
      for (const record of this.records(records, meta)) {
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
    return this.countPoints(collection, filter, this.meta('count', collection), options);
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
    const meta = this.meta('search', collection);
    const name = this.name(collection, meta);
    if (!isPlainObject(request)) {
      throw new InvalidArgumentError(
        `\`request\` must be an object, received ${describeValue(request)}`,
        { meta },
      );
    }
    const body = this.guard(meta, () => this.searchBody(request));
    this.check(options, meta);
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
      if (!Array.isArray(answer) || answer.length !== chunk.length) {
        throw this.badAnswer(meta, `expected ${chunk.length} result lists`);
      }
      for (const list of answer as unknown[]) {
        const points = isPlainObject(list) ? list.points : undefined;
        out.push(
          this.records(points, meta).map((p) =>
            toHit(p, metric, includePayload, includeVector, this.endpoint),
          ),
        );
      }
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
    const meta = this.meta('scanIds', collection);
    const name = this.name(collection, meta);
    if (!isPlainObject(page)) {
      throw new InvalidArgumentError(
        `\`page\` must be an object, received ${describeValue(page)}`,
        {
          meta,
        },
      );
    }
    const { cursor, limit } = page;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidArgumentError(
        `\`page.limit\` must be a positive integer, received ${describeValue(limit)}`,
        { meta },
      );
    }
    if (cursor !== undefined && (typeof cursor !== 'string' || !CURSOR_PATTERN.test(cursor))) {
      throw new InvalidArgumentError(
        `\`page.cursor\` must be a cursor an earlier \`scanIds\` returned, received ${describeValue(cursor)}`,
        { meta },
      );
    }
    const offset =
      cursor === undefined ? undefined : /^\d+$/.test(cursor) ? Number(cursor) : cursor;
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
    const ids = this.records(answer.points, meta).map(idOf);
    const next = answer.next_page_offset;
    return typeof next === 'string' || typeof next === 'number'
      ? { ids, nextCursor: String(next) }
      : { ids };
  }

  private async countPoints(
    collection: string,
    filter: FilterNode | undefined,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<number> {
    const name = this.name(collection, meta);
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
    if (typeof answer.count !== 'number') throw this.badAnswer(meta, 'no `count`');
    return answer.count;
  }

  /** The dimension, metric and index of an existing collection; remembers the metric. */
  private async readSpec(
    collection: string,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<CollectionSpec> {
    const name = this.name(collection, meta);
    const info = await this.send<CollectionAnswer>(meta, options, (api, init) =>
      api.getCollection({ collection_name: name }, init),
    );
    const vectors = info.config?.params?.vectors;
    const size = isPlainObject(vectors) ? vectors.size : undefined;
    const distance = isPlainObject(vectors) ? vectors.distance : undefined;
    const metric = typeof distance === 'string' ? METRIC_OF[distance] : undefined;
    if (typeof size !== 'number' || metric === undefined) {
      throw new BackendError(
        `${this.endpoint}: collection \`${collection}\` is not one vecmesh can use: it needs one unnamed vector with distance Cosine, Euclid or Dot, found ${JSON.stringify(vectors ?? null)}`,
        { meta, retryable: false },
      );
    }
    this.metrics.set(collection, metric);
    const spec: CollectionSpec = { dimension: size, metric };
    const index = indexOf(info.config?.hnsw_config);
    if (index !== undefined) spec.index = index;
    return spec;
  }

  private async metricOf(
    collection: string,
    meta: ErrorMeta,
    options: CallOptions | undefined,
  ): Promise<Metric> {
    return this.metrics.get(collection) ?? (await this.readSpec(collection, meta, options)).metric;
  }

  private searchBody(request: BackendSearchRequest): {
    vectors: number[][];
    fields: Record<string, unknown>;
  } {
    const { topK } = request;
    if (
      typeof topK !== 'number' ||
      !Number.isSafeInteger(topK) ||
      topK < 1 ||
      topK > this.capabilities.maxTopK
    ) {
      throw new InvalidArgumentError(
        `\`request.topK\` must be an integer in [1, ${this.capabilities.maxTopK}], received ${describeValue(topK)}`,
      );
    }
    const raw: unknown = request.vectors;
    if (!Array.isArray(raw)) {
      throw new InvalidArgumentError(
        `\`request.vectors\` must be an array, received ${describeValue(raw)}`,
      );
    }
    const first: unknown = raw[0];
    const dimension =
      ArrayBuffer.isView(first) || Array.isArray(first) ? (first as ArrayLike<number>).length : 0;
    const vectors = (raw as unknown[]).map((v, i) =>
      Array.from(toVector(v, dimension, `request.vectors[${i}]`)),
    );
    const fields: Record<string, unknown> = {
      limit: topK,
      // The reserved key alone when payloads are not wanted: hits need their original ids.
      with_payload: request.includePayload ? true : [QDRANT_ID_KEY],
      with_vector: request.includeVector,
    };
    if (request.filter !== undefined) fields.filter = compileFilter(request.filter);
    const ef = request.params?.ef ?? this.ef;
    const params: Record<string, unknown> = {};
    if (ef !== undefined) params.hnsw_ef = ef;
    if (request.params?.exact !== undefined) params.exact = request.params.exact;
    if (Object.keys(params).length > 0) fields.params = params;
    return { vectors, fields };
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
    this.check(options, meta);
    try {
      return await this.http.call<T>(meta, options?.signal, request);
    } catch (err) {
      if (err instanceof CollectionNotFoundError && meta.collection !== undefined) {
        this.metrics.delete(meta.collection);
      }
      throw err;
    }
  }

  private records(value: unknown, meta: ErrorMeta): QdrantRecord[] {
    if (!Array.isArray(value)) throw this.badAnswer(meta, 'expected a list of points');
    return (value as unknown[]).map((r) => {
      if (!isPlainObject(r) || (typeof r.id !== 'string' && typeof r.id !== 'number')) {
        throw this.badAnswer(meta, 'a point has no id');
      }
      return r as unknown as QdrantRecord;
    });
  }

  private uuids(ids: readonly PointId[], meta: ErrorMeta): string[] {
    const list = this.array(ids, 'ids', meta);
    const out = new Set<string>();
    list.forEach((id, i) => {
      out.add(qdrantPointId(this.guard(meta, () => validateId(id, `ids[${i}]`))));
    });
    return [...out];
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

  private badAnswer(meta: ErrorMeta, why: string): BackendError {
    return new BackendError(
      `${this.endpoint} \`${meta.operation ?? 'call'}\`: unexpected answer (${why})`,
      { meta, retryable: false },
    );
  }

  private check(options: CallOptions | undefined, meta: ErrorMeta): void {
    throwIfAborted(options?.signal, this.endpoint, meta);
    if (this.state !== 'open') throw this.closedError(meta.operation ?? 'call');
  }

  private meta(operation: string, collection?: string): ErrorMeta {
    return collection === undefined
      ? { backend: this.endpoint, operation }
      : { backend: this.endpoint, operation, collection };
  }

  private name(name: string, meta: ErrorMeta): string {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(
        `\`name\` must be a non-empty string, received ${describeValue(name)}`,
        { meta },
      );
    }
    return name;
  }

  private array<T>(value: readonly T[], path: string, meta: ErrorMeta): readonly T[] {
    const raw: unknown = value;
    if (!Array.isArray(raw)) {
      throw new InvalidArgumentError(
        `\`${path}\` must be an array, received ${describeValue(value)}`,
        { meta },
      );
    }
    return value;
  }

  private closedError(operation: string): ClosedError {
    return new ClosedError(
      this.state === 'new'
        ? `${this.endpoint} is not connected; call \`connect()\` before \`${operation}\``
        : `${this.endpoint} is closed; create a new backend instead of calling \`${operation}\``,
      { meta: { backend: this.endpoint, operation } },
    );
  }
}

/** `hnsw_config` for an index spec: `m: 0` (no graph) for `flat`. */
function hnswConfig(index: IndexSpec | undefined): Record<string, number> | undefined {
  if (index === undefined) return undefined;
  if (index.type === 'flat') return { m: 0 };
  const out: Record<string, number> = {};
  if (index.m !== undefined) out.m = index.m;
  if (index.efConstruction !== undefined) out.ef_construct = index.efConstruction;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The index spec of a collection's `hnsw_config`. */
function indexOf(hnsw: { m?: unknown; ef_construct?: unknown } | undefined): IndexSpec | undefined {
  if (hnsw === undefined || typeof hnsw.m !== 'number') return undefined;
  if (hnsw.m === 0) return { type: 'flat' };
  const index: IndexSpec = { type: 'hnsw', m: hnsw.m };
  if (typeof hnsw.ef_construct === 'number') index.efConstruction = hnsw.ef_construct;
  return index;
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

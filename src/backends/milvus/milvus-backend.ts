/**
 * The Milvus adapter: the `VectorBackend` contract over `@zilliz/milvus2-sdk-node` (gRPC).
 *
 * Layout and filters are described in `milvus-schema.ts` and `milvus-filter.ts`, error mapping
 * in `milvus-errors.ts`; `docs/milvus.md` says what was verified against which server.
 *
 * @module
 */
import { ConsistencyLevelEnum, MilvusClient, type RowData } from '@zilliz/milvus2-sdk-node';
import { validateCollectionSpec } from '../../core/collection-spec.js';
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
import type { FilterNode } from '../../core/filter-ast.js';
import { validateId } from '../../core/ids.js';
import { isPlainObject, validatePayload } from '../../core/payload.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Metric,
  Payload,
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
import {
  MAX_EXPRESSION_CHARS,
  MAX_IDS_PER_EXPRESSION,
  MAX_UPSERT_BYTES,
  chunkBySize,
} from './milvus-batches.js';
import { callMilvus } from './milvus-call.js';
import {
  checkStatus,
  isIndexMissing,
  isSuccess,
  sdkError,
  statusError,
  statusOf,
} from './milvus-errors.js';
import { compileFilter, quoteString } from './milvus-filter.js';
import {
  MILVUS_LIMITS,
  resolveMilvusOptions,
  type MilvusBackendOptions,
  type ResolvedMilvusBackendOptions,
} from './milvus-options.js';
import {
  MILVUS_FIELDS,
  checkCollectionName,
  collectionFields,
  decodeId,
  encodeId,
  fieldTags,
  fromMilvusMetric,
  hasLoneSurrogate,
  indexPlan,
  toMilvusMetric,
} from './milvus-schema.js';

/** What the adapter knows of one collection on the server. */
interface Described {
  readonly dimension: number;
  readonly metric: Metric;
  readonly indexType: string | undefined;
}

/** One row as the SDK upserts it. */
interface MilvusRow {
  [field: string]: unknown;
}

const F = MILVUS_FIELDS;
// Scan pages ask Milvus for primary-key order, as the official SDKs' query iterators do.
const SCAN_PARAMS = { iterator: 'True', reduce_stop_for_best: 'True' };
const CURSOR_PREFIX = 'mv1.';
// Results of one search request: Milvus bounds nq * topK.
const MAX_RESULTS_PER_SEARCH = MILVUS_LIMITS.maxTopK;

/**
 * A `VectorBackend` for one Milvus server (or Milvus Lite).
 *
 * Each collection is a Milvus collection of the same name with four fields: `vm_id` (VarChar
 * primary key holding `n:<integer>` or `s:<string>`, so that `1` and `'1'` stay apart),
 * `vm_vector` (FloatVector), `vm_payload` (JSON) and `vm_fields` (JSON list of the payload's
 * field types, which filters test). Several shards can share one server through the mesh's
 * replica `namespace` (the mesh then asks for `s0__docs`, `s1__docs`, ...).
 *
 * Lifecycle: the constructor does no I/O; `connect()` creates the SDK client (its retries off)
 * and checks the server; when the server does not answer it rejects with `UnavailableError` but
 * stays usable, so that calls succeed once the server is up. An unreachable address never
 * crashes the process: the SDK's connection promise always has a handler. Calls before
 * `connect()` and after `close()` reject with `ClosedError`; `close()` is final.
 *
 * Errors: every answer's status is checked (the SDK reports most failures as a status, not an
 * exception): a missing collection is `CollectionNotFoundError`; gRPC UNAVAILABLE, connection
 * failures, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED are retryable `UnavailableError`,
 * `TimeoutError` and `RateLimitedError`; other failures a `BackendError`. Every error carries
 * `meta.backend` (the server's address), `meta.operation` and `meta.collection`.
 *
 * Signals: the SDK cannot cancel a call in flight; an aborted signal ends the wait with
 * `AbortedError` (or `TimeoutError`), and the call's late answer is dropped.
 *
 * @example
 * ```ts
 * const backend = milvusBackend({ address: '127.0.0.1:19530' });
 * await backend.connect();
 * await backend.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await backend.upsert('docs', [{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * await backend.close();
 * ```
 */
export class MilvusBackend implements VectorBackend, AsyncDisposable {
  /** Always `milvus`. */
  readonly kind = 'milvus';
  /** `http://host:port` (or `https://`). */
  readonly endpoint: string;
  /** The request limits, frozen. */
  readonly capabilities: BackendCapabilities;

  private state: 'new' | 'open' | 'closed' = 'new';
  private client: MilvusClient | undefined;
  // Whether the SDK's handshake succeeded once; until it does, each call tries it again.
  private handshake: Promise<void> | undefined;
  private readonly options: ResolvedMilvusBackendOptions;
  private readonly consistency: ConsistencyLevelEnum;
  // Collections described before, so that a write or search costs one round trip. An entry is
  // dropped whenever a call on its collection fails, in case another client changed it.
  private readonly known = new Map<string, Described>();

  /**
   * @param options - Address, credentials, timeouts, consistency, index and capabilities.
   * @throws `InvalidOptionError` when an option is invalid.
   */
  constructor(options: MilvusBackendOptions) {
    this.options = resolveMilvusOptions(options);
    this.endpoint = this.options.endpoint;
    this.capabilities = this.options.capabilities;
    this.consistency = ConsistencyLevelEnum[this.options.consistencyLevel];
  }

  /**
   * Creates the SDK client and checks that the server answers. Idempotent.
   *
   * @throws `UnavailableError` when the server does not answer (the backend stays open).
   * @throws `ClosedError` after `close()`; `AbortedError` when the signal aborts.
   */
  async connect(options?: CallOptions): Promise<void> {
    const meta = this.meta('connect');
    throwIfAborted(options?.signal, this.endpoint, meta);
    if (this.state === 'closed') throw this.closedError('connect');
    this.state = 'open';
    const client = this.sdk();
    await this.ready(client, options?.signal, meta);
    const health = await callMilvus(() => client.checkHealth(), options?.signal, meta);
    checkStatus(health, meta);
  }

  /** Closes the SDK connection; every later call rejects with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.state = 'closed';
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.closeConnection();
      } catch {
        // Closing a channel that never connected may fail; there is nothing left to free.
      }
    }
  }

  /** Same as {@link MilvusBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Asks the server's `CheckHealth`. Answers `ok: false` with a detail when the server is down or
   * unhealthy.
   *
   * @throws `ClosedError` after `close()`; `AbortedError` when the signal aborts.
   */
  async health(options?: CallOptions): Promise<HealthStatus> {
    const meta = this.meta('health');
    const client = this.open(options, meta);
    const started = performance.now();
    try {
      await this.ready(client, options?.signal, meta);
      const answer = await callMilvus(() => client.checkHealth(), options?.signal, meta);
      checkStatus(answer, meta);
      if (!answer.isHealthy) {
        const reasons = answer.reasons.join('; ');
        return {
          ok: false,
          latencyMs: performance.now() - started,
          detail: `${this.endpoint} is not healthy${reasons === '' ? '' : `: ${reasons}`}`,
        };
      }
      return { ok: true, latencyMs: performance.now() - started };
    } catch (err) {
      if (options?.signal?.aborted === true) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, latencyMs: performance.now() - started, detail };
    }
  }

  /**
   * Creates a collection (schema, index, load); idempotent for the same dimension and metric.
   *
   * @throws `CollectionConflictError` when it exists with another dimension or metric, or is not
   *   a vecmesh collection; `InvalidArgumentError` for a bad name or spec.
   */
  async createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    const meta = this.meta('createCollection', name);
    const client = this.open(options, meta);
    const signal = options?.signal;
    await this.guard(meta, async () => {
      checkCollectionName(name, this.endpoint);
      const wanted = validateCollectionSpec(spec);
      if (wanted.dimension > MILVUS_LIMITS.maxDimension) {
        throw new InvalidArgumentError(
          `\`spec.dimension\` must be at most ${MILVUS_LIMITS.maxDimension} on Milvus, received ${wanted.dimension}`,
        );
      }
      await this.ready(client, signal, meta);
      const existing = await this.describe(client, name, signal, meta);
      if (existing !== undefined) {
        this.checkSame(name, existing, wanted);
        await this.prepare(client, name, wanted, existing, signal, meta);
        return;
      }
      const created = await callMilvus(
        () =>
          client.createCollection({
            collection_name: name,
            fields: collectionFields(wanted.dimension),
            consistency_level: this.options.consistencyLevel,
            enable_dynamic_field: false,
          }),
        signal,
        meta,
      );
      try {
        checkStatus(created, meta);
      } catch (err) {
        // Created meanwhile by another client: the same checks as when it existed before.
        const raced = await this.describe(client, name, signal, meta);
        if (raced === undefined) throw err;
        this.checkSame(name, raced, wanted);
        await this.prepare(client, name, wanted, raced, signal, meta);
        return;
      }
      await this.prepare(client, name, wanted, undefined, signal, meta);
    });
  }

  /** Drops a collection; `false` when there was none. */
  async dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    const meta = this.meta('dropCollection', name);
    const client = this.open(options, meta);
    return this.guard(meta, async () => {
      checkCollectionName(name, this.endpoint);
      // Only whether it exists: a collection of another layout is dropped all the same.
      this.known.delete(name);
      const described = await callMilvus(
        () => client.describeCollection({ collection_name: name, cache: false }),
        options?.signal,
        meta,
      );
      const status = statusOf(described);
      if (status !== undefined && !isSuccess(status)) {
        const error = statusError(status, meta);
        if (error instanceof CollectionNotFoundError) return false;
        throw error;
      }
      const answer = await callMilvus(
        () => client.dropCollection({ collection_name: name }),
        options?.signal,
        meta,
      );
      checkStatus(answer, meta);
      return true;
    });
  }

  /** Describes a collection: dimension and metric from its schema and index, and its count. */
  async describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    const meta = this.meta('describeCollection', name);
    const client = this.open(options, meta);
    return this.guard(meta, async () => {
      checkCollectionName(name, this.endpoint);
      const described = await this.require(client, name, options?.signal, meta, false);
      const count = await this.countRows(client, name, '', options?.signal, meta);
      const info: CollectionInfo = {
        name,
        dimension: described.dimension,
        metric: described.metric,
        count,
      };
      if (described.indexType === 'FLAT') info.index = { type: 'flat' };
      else if (described.indexType === 'HNSW') info.index = { type: 'hnsw' };
      return info;
    });
  }

  /** Lists collection names, sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const meta = this.meta('listCollections');
    const client = this.open(options, meta);
    return this.guard(meta, async () => {
      const answer = await callMilvus(() => client.showCollections(), options?.signal, meta);
      checkStatus(answer, meta);
      return answer.data.map((c) => c.name).sort();
    });
  }

  /**
   * Inserts or replaces points. The whole batch is checked before anything is sent; batches
   * larger than one gRPC message allows are sent in several upserts (the mesh never sends such a
   * batch: it respects `capabilities.maxBytesPerRequest`).
   */
  async upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    const meta = this.meta('upsert', collection);
    const client = this.open(options, meta);
    const signal = options?.signal;
    await this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      const list = this.list(points, 'points');
      const described = await this.require(client, collection, signal, meta, true);
      const rows = this.rows(list, described);
      if (rows.length === 0) return;
      const chunks = chunkBySize(
        rows,
        rowBytes,
        MAX_UPSERT_BYTES,
        this.capabilities.maxPointsPerRequest,
      );
      for (const chunk of chunks) {
        const answer = await callMilvus(
          () => client.upsert({ collection_name: collection, data: chunk as RowData[] }),
          signal,
          meta,
        );
        checkStatus(answer, meta);
        if (answer.err_index.length > 0) {
          throw new BackendError(
            `${this.endpoint} \`upsert\`: Milvus refused ${answer.err_index.length} of ${chunk.length} rows (first at index ${String(answer.err_index[0])})`,
            { meta, cause: answer },
          );
        }
      }
    });
  }

  /** Deletes points by id; missing ids are ignored. */
  async delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    const meta = this.meta('delete', collection);
    const client = this.open(options, meta);
    const signal = options?.signal;
    await this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      const keys = this.keys(ids);
      await this.require(client, collection, signal, meta, true);
      for (const filter of idFilters(keys)) {
        const answer = await callMilvus(
          () => client.delete({ collection_name: collection, filter }),
          signal,
          meta,
        );
        checkStatus(answer, meta);
      }
    });
  }

  /** Reads points by id, in the order asked, without missing or repeated ids. */
  async get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    const meta = this.meta('get', collection);
    const client = this.open(options, meta);
    const signal = options?.signal;
    return this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      const keys = this.keys(ids);
      const withVector = request?.includeVector === true;
      const fields = withVector ? [F.id, F.payload, F.vector] : [F.id, F.payload];
      const found = new Map<string, StoredPoint>();
      if (keys.length === 0) {
        await this.require(client, collection, signal, meta, true);
        return [];
      }
      for (const filter of idFilters(keys)) {
        const rows = await this.query(client, collection, filter, fields, undefined, signal, meta);
        for (const row of rows) {
          const key = row[F.id];
          const id = decodeId(key);
          if (id === undefined || typeof key !== 'string') continue;
          const point: StoredPoint = { id, payload: payloadOf(row[F.payload]) };
          if (withVector) point.vector = vectorOf(row[F.vector]);
          found.set(key, point);
        }
      }
      const out: StoredPoint[] = [];
      const seen = new Set<string>();
      for (const key of keys) {
        const point = found.get(key);
        if (point === undefined || seen.has(key)) continue;
        seen.add(key);
        out.push(point);
      }
      return out;
    });
  }

  /** Counts points, optionally only those matching a filter. */
  async count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    const meta = this.meta('count', collection);
    const client = this.open(options, meta);
    return this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      const expr = filter === undefined ? '' : compileFilter(filter);
      return this.countRows(client, collection, expr, options?.signal, meta);
    });
  }

  /**
   * Batched search: one list of hits per query vector, best first. HNSW collections search with
   * `ef = max(params.ef ?? defaultEf, topK)`; `params.exact` is honoured by FLAT collections only
   * (Milvus has no exact search over an HNSW index).
   */
  async search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    const meta = this.meta('search', collection);
    const client = this.open(options, meta);
    const signal = options?.signal;
    return this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      if (!isPlainObject(request)) {
        throw new InvalidArgumentError(
          `\`request\` must be an object, received ${describeValue(request)}`,
        );
      }
      const vectors = this.list(
        request.vectors,
        'request.vectors',
        this.capabilities.maxQueriesPerRequest,
      );
      const topK = request.topK;
      if (!Number.isSafeInteger(topK) || topK < 1 || topK > this.capabilities.maxTopK) {
        throw new InvalidArgumentError(
          `\`request.topK\` must be an integer from 1 to ${this.capabilities.maxTopK}, received ${describeValue(topK)}`,
        );
      }
      const filter = request.filter === undefined ? '' : compileFilter(request.filter);
      const described = await this.require(client, collection, signal, meta, true);
      const queries = vectors.map((v, i) =>
        Array.from(toVector(v, described.dimension, `request.vectors[${i}]`, described.metric)),
      );
      if (queries.length === 0) return [];
      const fields: string[] = [F.id];
      if (request.includePayload) fields.push(F.payload);
      if (request.includeVector) fields.push(F.vector);
      const params: Record<string, number> = {};
      if (described.indexType === 'HNSW') {
        params.ef = Math.max(request.params?.ef ?? this.options.defaultEf, topK);
      }
      const perRequest = Math.max(1, Math.floor(MAX_RESULTS_PER_SEARCH / topK));
      const out: Hit[][] = [];
      for (let start = 0; start < queries.length; start += perRequest) {
        const group = queries.slice(start, start + perRequest);
        const answer = await callMilvus(
          () =>
            client.search({
              collection_name: collection,
              anns_field: F.vector,
              data: group,
              limit: topK,
              filter,
              output_fields: fields,
              params,
              consistency_level: this.consistency,
            }),
          signal,
          meta,
        );
        checkStatus(answer, meta);
        const lists = (group.length === 1 ? [answer.results] : answer.results) as unknown[];
        for (let i = 0; i < group.length; i++) {
          out.push(this.hits(lists[i], request.includePayload, request.includeVector));
        }
      }
      return out;
    });
  }

  /**
   * One page of ids in primary-key order; the cursor resumes after the last key of the page.
   * Relies on Milvus answering iterator queries in primary-key order (as the official SDKs'
   * query iterators do); each page is also sorted here.
   */
  async scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    const meta = this.meta('scanIds', collection);
    const client = this.open(options, meta);
    return this.guard(meta, async () => {
      checkCollectionName(collection, this.endpoint);
      if (!isPlainObject(page)) {
        throw new InvalidArgumentError(
          `\`page\` must be an object, received ${describeValue(page)}`,
        );
      }
      const limit = page.limit;
      if (
        typeof limit !== 'number' ||
        !Number.isSafeInteger(limit) ||
        limit < 1 ||
        limit > this.capabilities.maxPointsPerRequest
      ) {
        throw new InvalidArgumentError(
          `\`page.limit\` must be an integer from 1 to ${this.capabilities.maxPointsPerRequest}, received ${describeValue(limit)}`,
        );
      }
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      const filter = after === undefined ? `${F.id} > ""` : `${F.id} > ${quoteString(after)}`;
      const rows = await this.query(
        client,
        collection,
        filter,
        [F.id],
        { limit: limit + 1, params: SCAN_PARAMS },
        options?.signal,
        meta,
      );
      const keys = rows
        .map((r) => r[F.id])
        .filter((k): k is string => typeof k === 'string' && decodeId(k) !== undefined)
        .sort(compareCodePoints);
      const more = keys.length > limit;
      const pageKeys = keys.slice(0, limit);
      const ids = pageKeys.map((k) => decodeId(k) as PointId);
      const last = pageKeys.at(-1);
      return more && last !== undefined ? { ids, nextCursor: encodeCursor(last) } : { ids };
    });
  }

  // ---------------------------------------------------------------------------------------------

  /** The SDK client, created on first use (the SDK starts connecting in its constructor). */
  private sdk(): MilvusClient {
    if (this.client !== undefined) return this.client;
    const o = this.options;
    const client = new MilvusClient({
      address: o.address,
      ssl: o.ssl,
      ...(o.token === undefined ? {} : { token: o.token }),
      ...(o.database === undefined ? {} : { database: o.database }),
      timeout: o.timeoutMs,
      // The mesh retries, on this replica or another; the SDK must not hide failures.
      maxRetries: 0,
      logLevel: 'error',
    });
    // The handshake the constructor started rejects when the server is unreachable: watch it
    // before anything else can happen (watchHandshake attaches the handler; the promise is kept).
    void this.watchHandshake(client);
    this.client = client;
    return client;
  }

  /** Waits for the SDK's handshake; starts it again when the last one failed. */
  private async ready(
    client: MilvusClient,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<void> {
    let attempt = this.handshake;
    if (attempt === undefined) {
      client.connect(MilvusClient.sdkInfo.version);
      attempt = this.watchHandshake(client);
    }
    const pending = attempt;
    await callMilvus(() => pending, signal, meta);
  }

  /**
   * Keeps the SDK's current handshake, with a handler attached at once so that its failure (an
   * unreachable address) never becomes an unhandled rejection; a failed one is forgotten, so
   * that the next call tries again.
   */
  private watchHandshake(client: MilvusClient): Promise<void> {
    const attempt = client.connectPromise.then(() => undefined);
    this.handshake = attempt;
    attempt.catch(() => {
      if (this.handshake === attempt) this.handshake = undefined;
    });
    return attempt;
  }

  /** Checks the lifecycle and the signal; answers the client of an open backend. */
  private open(options: CallOptions | undefined, meta: ErrorMeta): MilvusClient {
    throwIfAborted(options?.signal, this.endpoint, meta);
    if (this.state !== 'open') throw this.closedError(meta.operation ?? 'call');
    return this.sdk();
  }

  /**
   * Runs one operation; every error leaves classified, with the call's meta. Unexpected
   * exceptions become `BackendError`s rather than escaping raw.
   */
  private async guard<T>(meta: ErrorMeta, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      const error = err instanceof VecmeshError ? err.withMeta(meta) : sdkError(err, meta);
      const name = meta.collection;
      if (name === undefined) throw error;
      this.known.delete(name);
      // The SDK fails in its own ways (a TypeError on a missing schema) when a collection is
      // dropped under it: ask the server whether the collection is still there.
      if (error instanceof BackendError && this.client !== undefined && this.state === 'open') {
        const exists = await this.describe(this.client, name, undefined, meta).then(
          (d) => d !== undefined,
          () => true,
        );
        if (!exists) {
          throw new CollectionNotFoundError(
            `collection \`${name}\` does not exist on ${this.endpoint}`,
            { meta, cause: err },
          );
        }
      }
      throw error;
    }
  }

  /**
   * Describes a collection as vecmesh laid it out, or `undefined` when there is none.
   *
   * @param cached - Use the SDK's cache of descriptions (the one its upsert and search use).
   */
  private async describe(
    client: MilvusClient,
    name: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<Described | undefined> {
    this.known.delete(name);
    const answer = await callMilvus(
      () => client.describeCollection({ collection_name: name, cache: false }),
      signal,
      meta,
    );
    try {
      checkStatus(answer, meta);
    } catch (err) {
      if (err instanceof CollectionNotFoundError) return undefined;
      throw err;
    }
    const fields = answer.schema.fields;
    const vector = fields.find((f) => f.name === F.vector);
    const id = fields.find((f) => f.name === F.id);
    const dim = Number((vector as { dim?: unknown } | undefined)?.dim);
    if (vector === undefined || id === undefined || !Number.isSafeInteger(dim)) {
      throw new CollectionConflictError(
        `${this.endpoint}: collection \`${name}\` exists but was not created by vecmesh (it lacks the \`${F.id}\` and \`${F.vector}\` fields)`,
        { meta },
      );
    }
    const index = await callMilvus(
      () => client.describeIndex({ collection_name: name, field_name: F.vector }),
      signal,
      meta,
    );
    let indexType: string | undefined;
    let metricName: string | undefined;
    if (isSuccess(index.status)) {
      const params = index.index_descriptions[0]?.params ?? [];
      indexType = stringOf(params.find((p) => p.key === 'index_type')?.value);
      metricName = stringOf(params.find((p) => p.key === 'metric_type')?.value);
    } else if (!isIndexMissing(index.status)) {
      // No index yet (a create that stopped half-way) is fine: the caller builds one.
      checkStatus(index, meta);
    }
    const metric = metricName === undefined ? undefined : fromMilvusMetric(metricName);
    if (metricName !== undefined && metric === undefined) {
      throw new CollectionConflictError(
        `${this.endpoint}: collection \`${name}\` uses the metric ${metricName}, which vecmesh does not know`,
        { meta },
      );
    }
    const described: Described = { dimension: dim, metric: metric ?? ('' as Metric), indexType };
    if (indexType !== undefined) this.known.set(name, described);
    return described;
  }

  /**
   * Like `describe`, but a missing collection is a `CollectionNotFoundError`.
   *
   * @param cached - Answer from what was described before, when there is something.
   */
  private async require(
    client: MilvusClient,
    name: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
    cached: boolean,
  ): Promise<Described> {
    const known = cached ? this.known.get(name) : undefined;
    if (known !== undefined) return known;
    const described = await this.describe(client, name, signal, meta);
    if (described === undefined) {
      throw new CollectionNotFoundError(
        `collection \`${name}\` does not exist on ${this.endpoint}`,
        {
          meta,
        },
      );
    }
    return described;
  }

  private checkSame(name: string, had: Described, wanted: CollectionSpec): void {
    const sameMetric = had.indexType === undefined || had.metric === wanted.metric;
    if (had.dimension !== wanted.dimension || !sameMetric) {
      throw new CollectionConflictError(
        `${this.endpoint}: collection \`${name}\` exists with dimension ${had.dimension} and metric ${had.metric}, asked for dimension ${wanted.dimension} and metric ${wanted.metric}`,
      );
    }
  }

  /** Builds the index when there is none yet, then loads the collection (idempotent). */
  private async prepare(
    client: MilvusClient,
    name: string,
    spec: CollectionSpec,
    existing: Described | undefined,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<void> {
    if (existing?.indexType === undefined) {
      const plan = indexPlan(spec, this.options.index);
      const answer = await callMilvus(
        () =>
          client.createIndex({
            collection_name: name,
            field_name: F.vector,
            index_type: plan.indexType,
            metric_type: toMilvusMetric(spec.metric),
            params: { ...plan.params },
          }),
        signal,
        meta,
      );
      checkStatus(answer, meta);
    }
    const loaded = await callMilvus(
      () => client.loadCollection({ collection_name: name }),
      signal,
      meta,
    );
    checkStatus(loaded, meta);
  }

  private async countRows(
    client: MilvusClient,
    name: string,
    filter: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<number> {
    const rows = await this.query(client, name, filter, ['count(*)'], undefined, signal, meta);
    const value = rows[0]?.['count(*)'];
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new BackendError(
        `${this.endpoint} \`${meta.operation ?? 'count'}\`: Milvus answered a count of ${describeValue(value)}`,
        { meta },
      );
    }
    return n;
  }

  private async query(
    client: MilvusClient,
    name: string,
    filter: string,
    fields: string[],
    extra: { limit: number; params: Record<string, string> } | undefined,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<Record<string, unknown>[]> {
    const answer = await callMilvus(
      () =>
        client.query({
          collection_name: name,
          filter,
          output_fields: fields,
          consistency_level: this.consistency,
          ...(extra === undefined ? {} : { limit: extra.limit, params: extra.params }),
        }),
      signal,
      meta,
    );
    checkStatus(answer, meta);
    return answer.data as Record<string, unknown>[];
  }

  /** Checks every point and builds the rows; the last point of a repeated id wins. */
  private rows(points: readonly Point[], described: Described): MilvusRow[] {
    const byKey = new Map<string, MilvusRow>();
    for (let i = 0; i < points.length; i++) {
      const path = `points[${i}]`;
      const p: unknown = points[i];
      if (typeof p !== 'object' || p === null) {
        throw new InvalidArgumentError(
          `\`${path}\` must be an object, received ${describeValue(p)}`,
        );
      }
      const point = p as Partial<Point>;
      const key = encodeId(validateId(point.id, `${path}.id`), `${path}.id`);
      const vector = toVector(point.vector, described.dimension, `${path}.vector`);
      const payload = validatePayload(point.payload, `${path}.payload`);
      checkPayloadText(payload, `${path}.payload`);
      byKey.delete(key);
      byKey.set(key, {
        [F.id]: key,
        [F.vector]: Array.from(vector),
        [F.payload]: payload ?? {},
        [F.tags]: fieldTags(payload),
      });
    }
    return [...byKey.values()];
  }

  private keys(ids: readonly PointId[]): string[] {
    return this.list(ids, 'ids').map((id, i) => encodeId(validateId(id, `ids[${i}]`), `ids[${i}]`));
  }

  private hits(raw: unknown, withPayload: boolean, withVector: boolean): Hit[] {
    if (!Array.isArray(raw)) return [];
    const out: Hit[] = [];
    for (const item of raw as Record<string, unknown>[]) {
      const id = decodeId(item[F.id] ?? item.id);
      if (id === undefined) continue;
      const hit: Hit = { id, score: Number(item.score) };
      if (withPayload) hit.payload = payloadOf(item[F.payload]);
      if (withVector) hit.vector = vectorOf(item[F.vector]);
      out.push(hit);
    }
    return out;
  }

  /** Checks that a request list is an array within the per-request limit. */
  private list<T>(
    value: readonly T[],
    path: string,
    max = this.capabilities.maxPointsPerRequest,
  ): readonly T[] {
    const raw: unknown = value;
    if (!Array.isArray(raw)) {
      throw new InvalidArgumentError(
        `\`${path}\` must be an array, received ${describeValue(value)}`,
      );
    }
    if (value.length > max) {
      throw new InvalidArgumentError(
        `\`${path}\` has ${value.length} items, ${this.endpoint} takes at most ${max} per request`,
      );
    }
    return value;
  }

  private meta(operation: string, collection?: string): ErrorMeta {
    return collection === undefined
      ? { backend: this.endpoint, operation }
      : { backend: this.endpoint, operation, collection };
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

/** `vm_id in [...]` expressions covering the keys, each within the expression limits. */
function idFilters(keys: readonly string[]): string[] {
  const unique = [...new Set(keys)].map(quoteString);
  return chunkBySize(unique, (q) => q.length + 2, MAX_EXPRESSION_CHARS, MAX_IDS_PER_EXPRESSION).map(
    (chunk) => `${F.id} in [${chunk.join(', ')}]`,
  );
}

/** An estimate of one row's size in the upsert message. */
function rowBytes(row: MilvusRow): number {
  const vector = row[F.vector] as number[];
  const id = row[F.id] as string;
  return vector.length * 4 + id.length * 3 + JSON.stringify(row[F.payload]).length * 3 + 64;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function payloadOf(value: unknown): Payload {
  return isPlainObject(value) ? (value as Payload) : {};
}

function vectorOf(value: unknown): number[] {
  return Array.isArray(value) ? (value as number[]).map(Number) : [];
}

/** Payload strings must have a UTF-8 form: Milvus Lite refuses lone surrogates. */
function checkPayloadText(payload: Payload | undefined, path: string): void {
  if (payload === undefined) return;
  const text = JSON.stringify(payload);
  // JSON.stringify writes a lone surrogate as a \\udXXX escape; the raw text never holds one.
  if (/\\ud[89a-f][0-9a-f]{2}/i.test(text) && hasLoneSurrogateDeep(payload)) {
    throw new InvalidArgumentError(
      `\`${path}\` holds a string with a lone UTF-16 surrogate, which Milvus cannot store`,
    );
  }
}

function hasLoneSurrogateDeep(value: unknown): boolean {
  if (typeof value === 'string') return hasLoneSurrogate(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogateDeep);
  if (isPlainObject(value)) {
    return Object.entries(value).some(([k, v]) => hasLoneSurrogate(k) || hasLoneSurrogateDeep(v));
  }
  return false;
}

/** Orders strings by code point, as Milvus orders VarChar keys (by UTF-8 bytes). */
function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeCursor(key: string): string {
  return CURSOR_PREFIX + Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: unknown): string {
  if (typeof cursor === 'string' && cursor.startsWith(CURSOR_PREFIX)) {
    const key = Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
    if (decodeId(key) !== undefined && encodeCursor(key) === cursor) return key;
  }
  throw new InvalidArgumentError(
    `\`page.cursor\` is not a cursor issued by a Milvus backend, received ${describeValue(cursor)}`,
  );
}

/**
 * Creates a {@link MilvusBackend}.
 *
 * @param options - `address` of the server, and optionally `token`, `database`, `timeoutMs`,
 *   `consistencyLevel`, `index`, `defaultEf`, `capabilities`.
 * @default options.timeoutMs 30000
 * @default options.consistencyLevel 'Strong'
 * @default options.defaultEf 64
 * @returns A backend; call `connect()` before using it.
 * @throws `InvalidOptionError` when an option is invalid.
 *
 * @example
 * ```ts
 * import { createMesh } from 'vecmesh';
 * import { milvusBackend } from 'vecmesh/milvus';
 *
 * const milvus = milvusBackend({ address: '127.0.0.1:19530' });
 * const mesh = createMesh({ clusters: [{ name: 'milvus', shards: [
 *   { replicas: [{ backend: milvus, namespace: 's0' }] },
 *   { replicas: [{ backend: milvus, namespace: 's1' }] },
 * ] }] });
 * ```
 */
export function milvusBackend(options: MilvusBackendOptions): MilvusBackend {
  return new MilvusBackend(options);
}

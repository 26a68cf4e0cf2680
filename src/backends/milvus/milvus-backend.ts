/**
 * The Milvus adapter: the `VectorBackend` contract over `@zilliz/milvus2-sdk-node` (gRPC).
 *
 * Layout and filters are described in `milvus-schema.ts` and `milvus-filter.ts`, error mapping
 * in `milvus-errors.ts`; the SDK client and its handshake live in `milvus-connection.ts`,
 * collection descriptions and creation in `milvus-collections.ts`, rows and hits in
 * `milvus-rows.ts`, searches in `milvus-search.ts`, scan pages in `milvus-scan.ts`.
 * `docs/milvus.md` says what was verified against which server.
 *
 * `@zilliz/milvus2-sdk-node` is an optional peer dependency: it is loaded by the constructor
 * (see `core/optional-dependency.ts`), so that importing `vecmesh/milvus` works without it;
 * every other module imports only its types.
 *
 * @module
 */
import type { ConsistencyLevelEnum, MilvusClient, RowData } from '@zilliz/milvus2-sdk-node';
import { validateCollectionSpec } from '../../core/collection-spec.js';
import {
  BackendError,
  InvalidArgumentError,
  VecmeshError,
  type ErrorMeta,
} from '../../core/errors.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { loadOptional } from '../../core/optional-dependency.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';
import { checkList } from '../argument-checks.js';
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
import { MAX_UPSERT_BYTES, chunkBySize, idFilters } from './milvus-batches.js';
import { callMilvus } from './milvus-call.js';
import { MilvusCollections, collectionInfo } from './milvus-collections.js';
import { MilvusConnection } from './milvus-connection.js';
import { checkStatus, collectionNotFound, sdkError } from './milvus-errors.js';
import { compileFilter } from './milvus-filter.js';
import {
  MILVUS_LIMITS,
  resolveMilvusOptions,
  type MilvusBackendOptions,
  type ResolvedMilvusBackendOptions,
} from './milvus-options.js';
import { countRows, queryRows, readPoints } from './milvus-query.js';
import { rowBytes, toKeys, toRows } from './milvus-rows.js';
import { idPageOf, scanOf } from './milvus-scan.js';
import { MILVUS_FIELDS as F, checkCollectionName } from './milvus-schema.js';
import { checkSearch, planSearch, runSearch } from './milvus-search.js';

/**
 * A `VectorBackend` for one Milvus server (or Milvus Lite).
 *
 * Each collection is a Milvus collection of the same name with four fields: `vm_id` (VarChar
 * primary key holding `n:<integer>` or `s:<string>`, so that `1` and `'1'` stay apart),
 * `vm_vector` (FloatVector), `vm_payload` (JSON) and `vm_fields` (JSON list of the payload's
 * field types, which filters test). Several shards can share one server through the mesh's
 * replica `namespace` (the mesh then asks for `s0__docs`, `s1__docs`, ...).
 *
 * Lifecycle: the constructor loads the SDK and does no I/O; `connect()` creates the SDK client
 * (its retries off)
 * and checks the server; when the server does not answer it rejects with `UnavailableError` but
 * stays usable, so that calls succeed once the server is up. An unreachable address never
 * crashes the process: the SDK's connection promise always has a handler. Calls before
 * `connect()` and after `close()` reject with `ClosedError`; `close()` is final.
 *
 * Errors: every answer's status is checked (the SDK reports most failures as a status, not an
 * exception): a missing collection is `CollectionNotFoundError` (`collection \`docs\` does not
 * exist on Milvus at host:port`); a server that cannot be reached a retryable `UnavailableError`
 * (`cannot reach Milvus at host:port: connection refused`); DEADLINE_EXCEEDED and
 * RESOURCE_EXHAUSTED retryable `TimeoutError` and `RateLimitedError`; other failures a
 * `BackendError`. Every error carries `meta.backend` (the server's address), `meta.operation`,
 * `meta.collection`, and what the SDK said as `cause`.
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

  private readonly life: BackendLifecycle;
  private readonly options: ResolvedMilvusBackendOptions;
  private readonly consistency: ConsistencyLevelEnum;
  private readonly connection: MilvusConnection;
  private readonly collections: MilvusCollections;

  /**
   * @param options - Address, credentials, timeouts, consistency, index and capabilities.
   * @throws `InvalidOptionError` when an option is invalid.
   * @throws `MissingDependencyError` when `@zilliz/milvus2-sdk-node` is not installed (the
   *   message names it and the `npm install` command).
   */
  constructor(options: MilvusBackendOptions) {
    this.options = resolveMilvusOptions(options);
    // Here rather than on the first call: a missing SDK shows where the backend is configured.
    const sdk = loadOptional('@zilliz/milvus2-sdk-node', '`milvusBackend()` (vecmesh/milvus)');
    this.endpoint = this.options.endpoint;
    this.life = new BackendLifecycle(this.endpoint);
    this.capabilities = this.options.capabilities;
    this.consistency = sdk.ConsistencyLevelEnum[this.options.consistencyLevel];
    this.connection = new MilvusConnection(this.options, sdk.MilvusClient);
    this.collections = new MilvusCollections(this.options);
  }

  /**
   * Creates the SDK client and checks that the server answers. Idempotent.
   *
   * @throws `UnavailableError` when the server does not answer (the backend stays open).
   * @throws `ClosedError` after `close()`; `AbortedError` when the signal aborts.
   */
  async connect(options?: CallOptions): Promise<void> {
    const meta = this.life.meta('connect');
    const signal = options?.signal;
    this.life.open(signal, meta);
    const client = this.connection.client();
    await this.connection.ready(client, signal, meta);
    const health = await callMilvus(() => client.checkHealth(), signal, meta);
    checkStatus(health, meta);
  }

  /** Closes the SDK connection; every later call rejects with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.life.close();
    await this.connection.close();
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
    const meta = this.life.meta('health');
    const client = this.open(options, meta);
    const signal = options?.signal;
    return timedProbe(signal, async () => {
      await this.connection.ready(client, signal, meta);
      const answer = await callMilvus(() => client.checkHealth(), signal, meta);
      checkStatus(answer, meta);
      if (answer.isHealthy) return undefined;
      const reasons = answer.reasons.join('; ');
      return `${this.endpoint} is not healthy${reasons === '' ? '' : `: ${reasons}`}`;
    });
  }

  /**
   * Creates a collection (schema, index, load); idempotent for the same dimension and metric.
   *
   * @throws `CollectionConflictError` when it exists with another dimension or metric, or is not
   *   a vecmesh collection; `InvalidArgumentError` for a bad name or spec.
   */
  async createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    await this.call('createCollection', name, options, async (client, signal, meta) => {
      const wanted = validateCollectionSpec(spec);
      if (wanted.dimension > MILVUS_LIMITS.maxDimension) {
        throw new InvalidArgumentError(
          `\`spec.dimension\` must be at most ${MILVUS_LIMITS.maxDimension} on Milvus, received ${wanted.dimension}`,
        );
      }
      await this.connection.ready(client, signal, meta);
      await this.collections.create(client, name, wanted, signal, meta);
    });
  }

  /** Drops a collection; `false` when there was none. */
  async dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.call('dropCollection', name, options, async (client, signal, meta) => {
      return this.collections.drop(client, name, signal, meta);
    });
  }

  /** Describes a collection: dimension and metric from its schema and index, and its count. */
  async describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.call('describeCollection', name, options, async (client, signal, meta) => {
      const described = await this.collections.require(client, name, signal, meta, false);
      const count = await countRows(client, name, '', this.consistency, signal, meta);
      return collectionInfo(name, described, count);
    });
  }

  /** Lists collection names, sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    return this.call('listCollections', undefined, options, async (client, signal, meta) => {
      const answer = await callMilvus(() => client.showCollections(), signal, meta);
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
    await this.call('upsert', collection, options, async (client, signal, meta) => {
      const list = this.batch(points, 'points');
      const described = await this.collections.require(client, collection, signal, meta, true);
      const rows = toRows(list, described.dimension);
      if (rows.length === 0) return;
      const maxRows = this.capabilities.maxPointsPerRequest;
      for (const chunk of chunkBySize(rows, rowBytes, MAX_UPSERT_BYTES, maxRows)) {
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
    await this.call('delete', collection, options, async (client, signal, meta) => {
      const keys = toKeys(this.batch(ids, 'ids'));
      await this.collections.require(client, collection, signal, meta, true);
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
    return this.call('get', collection, options, async (client, signal, meta) => {
      const keys = toKeys(this.batch(ids, 'ids'));
      const withVector = request?.includeVector === true;
      if (keys.length === 0) {
        await this.collections.require(client, collection, signal, meta, true);
        return [];
      }
      return readPoints(client, collection, keys, withVector, this.consistency, signal, meta);
    });
  }

  /** Counts points, optionally only those matching a filter. */
  async count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    return this.call('count', collection, options, async (client, signal, meta) => {
      const expr = filter === undefined ? '' : compileFilter(filter);
      return countRows(client, collection, expr, this.consistency, signal, meta);
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
    return this.call('search', collection, options, async (client, signal, meta) => {
      const checked = checkSearch(request, this.capabilities, this.endpoint);
      const described = await this.collections.require(client, collection, signal, meta, true);
      const plan = planSearch(request, checked, described, this.options.defaultEf);
      return runSearch(client, collection, plan, this.consistency, signal, meta);
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
    return this.call('scanIds', collection, options, async (client, signal, meta) => {
      const { filter, limit, params } = scanOf(page, this.capabilities.maxPointsPerRequest);
      const query = {
        collection,
        filter,
        fields: [F.id],
        consistency: this.consistency,
        page: { limit: limit + 1, params },
      };
      return idPageOf(await queryRows(client, query, signal, meta), limit);
    });
  }

  /**
   * Runs one call on an open backend: checks the lifecycle, the signal and the collection's
   * name, then runs `body` under {@link MilvusBackend.guard}.
   */
  private async call<T>(
    operation: string,
    collection: string | undefined,
    options: CallOptions | undefined,
    body: (client: MilvusClient, signal: AbortSignal | undefined, meta: ErrorMeta) => Promise<T>,
  ): Promise<T> {
    const meta = this.life.meta(operation, collection);
    const client = this.open(options, meta);
    const signal = options?.signal;
    return this.guard(meta, async () => {
      if (collection !== undefined) checkCollectionName(collection, this.endpoint);
      return body(client, signal, meta);
    });
  }

  /** Checks the lifecycle and the signal; answers the client of an open backend. */
  private open(options: CallOptions | undefined, meta: ErrorMeta): MilvusClient {
    this.life.check(options?.signal, meta);
    return this.connection.client();
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
      this.collections.forget(name);
      // The SDK fails in its own ways (a TypeError on a missing schema) when a collection is
      // dropped under it: ask the server whether the collection is still there.
      const client = this.connection.current;
      if (error instanceof BackendError && client !== undefined && this.life.isOpen) {
        const exists = await this.collections.describe(client, name, undefined, meta).then(
          (d) => d !== undefined,
          () => true,
        );
        if (!exists) throw collectionNotFound(name, meta, err);
      }
      throw error;
    }
  }

  /** Checks that a request list is an array within the per-request limit. */
  private batch<T>(value: readonly T[], path: string): readonly T[] {
    return checkList(value, path, this.capabilities.maxPointsPerRequest, this.endpoint);
  }
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
 * @throws `MissingDependencyError` when `@zilliz/milvus2-sdk-node` is not installed: `npm install
 *   @zilliz/milvus2-sdk-node` (an optional peer dependency of vecmesh). Importing
 *   `vecmesh/milvus` does not need it; creating a backend does.
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

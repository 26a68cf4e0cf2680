/**
 * The adapter of the vecmesh reference node: the `VectorBackend` contract over the node's
 * HTTP/JSON API (`docs/reference-node-api.md`), through a keep-alive undici pool. Search and
 * upsert vectors travel as a binary float32 body unless `binaryVectors: false`.
 *
 * @module
 */
import {
  BackendError,
  InvalidArgumentError,
  VecmeshError,
  describeValue,
  type ErrorMeta,
} from '../../core/errors.js';
import type { FilterNode } from '../../core/filter-ast.js';
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
import { encodeBinaryBody, encodeBinaryUpsert } from './binary-wire.js';
import { filterToWire } from './filter-wire.js';
import { NodeClient, type NodeCall } from './node-client.js';
import type {
  CountAnswer,
  CreateCollectionAnswer,
  DropCollectionAnswer,
  GetAnswer,
  ListCollectionsAnswer,
  ProbeAnswer,
  ScanIdsAnswer,
  SearchAnswer,
  SearchBody,
} from './protocol.js';
import { resolveReferenceOptions, type ReferenceBackendOptions } from './reference-options.js';
import { toWirePoint, toWireVector } from './wire-points.js';

/**
 * A {@link VectorBackend} for one vecmesh reference node (`vecmesh node`, or `startNode()`).
 *
 * Lifecycle: the constructor does no I/O. `connect()` opens the pool and checks `GET /readyz`;
 * when the node does not answer it rejects with `UnavailableError` but stays usable, so that
 * calls succeed once the node is up. Calls before `connect()` and after `close()` reject with
 * `ClosedError`; `close()` is final.
 *
 * Errors: the node's answers keep their class (`CollectionNotFoundError`,
 * `CollectionConflictError`, `InvalidVectorError`, `InvalidFilterError`, ...); refused or reset
 * connections and 5xx answers are a retryable `UnavailableError`, slow answers a `TimeoutError`,
 * and every error carries `meta.backend` (the node's URL), `meta.operation` and
 * `meta.collection`.
 *
 * @example
 * ```ts
 * const backend = referenceBackend({ url: 'http://127.0.0.1:7001', apiKey: process.env.NODE_KEY });
 * await backend.connect();
 * await backend.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await backend.upsert('docs', [{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * await backend.close();
 * ```
 */
export class ReferenceBackend implements VectorBackend, AsyncDisposable {
  /** Always `reference`. */
  readonly kind = 'reference';
  /** The node's origin, e.g. `http://127.0.0.1:7001`. */
  readonly endpoint: string;
  /** The request limits, frozen. */
  readonly capabilities: BackendCapabilities;

  private readonly life: BackendLifecycle;
  private readonly client: NodeClient;
  private readonly binaryVectors: boolean;

  /**
   * @param options - URL, API key, connections, timeout and capabilities.
   * @throws `InvalidOptionError` when an option is invalid.
   */
  constructor(options: ReferenceBackendOptions) {
    const resolved = resolveReferenceOptions(options);
    this.endpoint = resolved.origin;
    this.life = new BackendLifecycle(this.endpoint);
    this.capabilities = resolved.capabilities;
    this.client = new NodeClient(resolved);
    this.binaryVectors = resolved.binaryVectors;
  }

  /**
   * Opens the backend and checks that the node is ready. Idempotent.
   *
   * @throws `UnavailableError` when the node does not answer (the backend stays open).
   * @throws `ClosedError` after `close()`.
   */
  async connect(options?: CallOptions): Promise<void> {
    const meta = this.life.meta('connect');
    this.life.open(options?.signal, meta);
    await this.send<ProbeAnswer>('GET', '/readyz', undefined, options, meta);
  }

  /** Closes the connection pool; every later call rejects with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.life.close();
    await this.client.close();
  }

  /** Same as {@link ReferenceBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Probes `GET /readyz`. Answers `ok: false` with a detail when the node is down or stopping.
   *
   * @throws `ClosedError` after `close()`; `AbortedError` when the signal aborts.
   */
  async health(options?: CallOptions): Promise<HealthStatus> {
    const meta = this.life.meta('health');
    this.life.check(options?.signal, meta);
    return timedProbe(options?.signal, async () => {
      await this.send<ProbeAnswer>('GET', '/readyz', undefined, options, meta);
      return undefined;
    });
  }

  /** Creates a collection; idempotent for the same dimension and metric. */
  async createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    await this.send<CreateCollectionAnswer>(
      'PUT',
      this.path(name),
      spec,
      options,
      this.life.meta('createCollection', name),
    );
  }

  /** Drops a collection; `false` when there was none. */
  async dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    const meta = this.life.meta('dropCollection', name);
    const answer = await this.send<DropCollectionAnswer>(
      'DELETE',
      this.path(name),
      undefined,
      options,
      meta,
    );
    return answer.dropped;
  }

  /** Describes a collection. */
  describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    const meta = this.life.meta('describeCollection', name);
    return this.send<CollectionInfo>('GET', this.path(name), undefined, options, meta);
  }

  /** Lists collection names, sorted. */
  async listCollections(options?: CallOptions): Promise<string[]> {
    const meta = this.life.meta('listCollections');
    const answer = await this.send<ListCollectionsAnswer>(
      'GET',
      '/collections',
      undefined,
      options,
      meta,
    );
    return answer.collections;
  }

  /** Inserts or replaces points; the node validates the whole batch before writing any. */
  async upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    const meta = this.life.meta('upsert', collection);
    const list = checkArray(points, 'points', meta);
    const path = this.path(collection, '/points/upsert');
    const binary = this.binaryVectors ? encodeBinaryUpsert(list) : undefined;
    // The JSON body is built only when it is sent.
    const body = binary === undefined ? { points: list.map(toWirePoint) } : undefined;
    await this.send('POST', path, body, options, meta, binary);
  }

  /** Deletes points by id; missing ids are ignored. */
  async delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    const meta = this.life.meta('delete', collection);
    const body = { ids: checkArray(ids, 'ids', meta) };
    await this.send('POST', this.path(collection, '/points/delete'), body, options, meta);
  }

  /** Reads points by id, in the order asked, without missing or repeated ids. */
  async get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    const meta = this.life.meta('get', collection);
    const body = {
      ids: checkArray(ids, 'ids', meta),
      includeVector: request?.includeVector === true,
    };
    const path = this.path(collection, '/points/get');
    return (await this.send<GetAnswer>('POST', path, body, options, meta)).points;
  }

  /** Counts points, optionally only those matching a filter. */
  async count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    const meta = this.life.meta('count', collection);
    const body = filter === undefined ? {} : { filter: filterToWire(filter) };
    const path = this.path(collection, '/points/count');
    return (await this.send<CountAnswer>('POST', path, body, options, meta)).count;
  }

  /** Batched search: one list of hits per query vector, best first. */
  async search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    const meta = this.life.meta('search', collection);
    if (typeof request !== 'object' || (request as unknown) === null) {
      throw new InvalidArgumentError(
        `\`request\` must be an object, received ${describeValue(request)}`,
        { meta },
      );
    }
    const vectors = checkArray(request.vectors, 'request.vectors', meta);
    const fields: Omit<SearchBody, 'vectors'> = {
      topK: request.topK,
      includePayload: request.includePayload,
      includeVector: request.includeVector,
    };
    if (request.filter !== undefined) fields.filter = filterToWire(request.filter);
    if (request.params?.ef !== undefined) fields.ef = request.params.ef;
    if (request.params?.exact !== undefined) fields.exact = request.params.exact;
    const path = this.path(collection, '/search');
    const binary = this.binaryVectors ? encodeBinaryBody(fields, vectors) : undefined;
    const body: SearchBody | undefined =
      binary === undefined ? { vectors: vectors.map(toWireVector), ...fields } : undefined;
    return (await this.send<SearchAnswer>('POST', path, body, options, meta, binary)).hits;
  }

  /** One page of ids in the node's stable scan order. */
  async scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    const meta = this.life.meta('scanIds', collection);
    if (typeof page !== 'object' || (page as unknown) === null) {
      throw new InvalidArgumentError(
        `\`page\` must be an object, received ${describeValue(page)}`,
        {
          meta,
        },
      );
    }
    const query = new URLSearchParams({ limit: String(page.limit) });
    if (page.cursor !== undefined) query.set('cursor', page.cursor);
    const path = `${this.path(collection, '/ids')}?${query.toString()}`;
    const answer = await this.send<ScanIdsAnswer>('GET', path, undefined, options, meta);
    return answer.nextCursor === undefined
      ? { ids: answer.ids }
      : { ids: answer.ids, nextCursor: answer.nextCursor };
  }

  /**
   * Checks the lifecycle and the signal, then sends one call (a binary body instead of the JSON
   * one when given); any error leaves classified.
   */
  private async send<T>(
    method: NodeCall['method'],
    path: string,
    body: unknown,
    options: CallOptions | undefined,
    meta: ErrorMeta,
    binary?: Uint8Array,
  ): Promise<T> {
    this.life.check(options?.signal, meta);
    try {
      const signal = options?.signal;
      return await this.client.call<T>({ method, path, body, binary, signal, meta });
    } catch (err) {
      if (err instanceof VecmeshError) throw err;
      throw new BackendError(`${this.endpoint} failed in \`${meta.operation ?? 'call'}\``, {
        cause: err,
        meta,
      });
    }
  }

  private path(name: string, suffix = ''): string {
    checkName(name, { backend: this.endpoint });
    return `/collections/${encodeURIComponent(name)}${suffix}`;
  }
}

/**
 * Creates a {@link ReferenceBackend}.
 *
 * @param options - `url` of the node, and optionally `apiKey`, `connections`, `timeoutMs`,
 *   `binaryVectors`, `capabilities`.
 * @default options.connections 16
 * @default options.binaryVectors true
 * @default options.timeoutMs 30000
 * @returns A backend; call `connect()` before using it.
 * @throws `InvalidOptionError` when an option is invalid.
 *
 * @example
 * ```ts
 * import { createMesh } from 'vecmesh';
 * import { referenceBackend } from 'vecmesh/node';
 *
 * const mesh = createMesh({ clusters: [{ name: 'local', shards: [
 *   { replicas: [{ backend: referenceBackend({ url: 'http://127.0.0.1:7001' }) }] },
 * ] }] });
 * ```
 */
export function referenceBackend(options: ReferenceBackendOptions): ReferenceBackend {
  return new ReferenceBackend(options);
}

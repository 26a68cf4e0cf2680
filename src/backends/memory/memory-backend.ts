/**
 * The in-process backend: exact search over `Float32Array`s, for tests, demos and small data.
 *
 * It follows the adapter contract to the letter (validation, classified errors, abort signals,
 * lifecycle), so the mesh behaves the same on it as on a real database.
 *
 * @module
 */
import { validateCollectionSpec } from '../../core/collection-spec.js';
import {
  BackendError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  VecmeshError,
  describeValue,
  type ErrorMeta,
} from '../../core/errors.js';
import type { FilterNode } from '../../core/filter-ast.js';
import { idKey, validateId } from '../../core/ids.js';
import type {
  CollectionInfo,
  CollectionSpec,
  Hit,
  Point,
  PointId,
  StoredPoint,
} from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { throwIfAborted } from '../abort.js';
import { checkCount, checkList } from '../argument-checks.js';
import type {
  BackendCapabilities,
  BackendSearchRequest,
  CallOptions,
  GetRequest,
  HealthStatus,
  IdPage,
  VectorBackend,
} from '../backend.js';
import { BackendLifecycle } from '../lifecycle.js';
import { MemoryCollection, makeRecord, type MemoryRecord } from './memory-collection.js';
import { resolveCapabilities, resolveName, type MemoryBackendOptions } from './memory-options.js';
import { hitsOf, storedPointsOf } from './record-copies.js';
import { MEMORY_CURSORS, preparePoint, validateCollectionName } from './request-checks.js';

/**
 * A {@link VectorBackend} that keeps everything in this process.
 *
 * Lifecycle: calls before `connect()` and after `close()` reject with `ClosedError`. `close()`
 * frees every collection and is final: `connect()` after `close()` rejects with `ClosedError`
 * too (create a new backend instead), since a closed memory backend has nothing to reconnect to.
 *
 * Points are copied on the way in and on the way out, so the caller can reuse or mutate its
 * objects freely. `maxBytesPerRequest` is announced but not enforced; the other limits are.
 *
 * @example
 * ```ts
 * const backend = memoryBackend({ name: 'shard-0a' });
 * await backend.connect();
 * await backend.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await backend.upsert('docs', [{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * const [hits] = await backend.search('docs', {
 *   vectors: [Float32Array.of(1, 0, 0)], topK: 5, includePayload: true, includeVector: false,
 * });
 * await backend.close();
 * ```
 */
export class MemoryBackend implements VectorBackend, AsyncDisposable {
  /** Always `memory`. */
  readonly kind = 'memory';
  /** `memory://<name>`. */
  readonly endpoint: string;
  /** The request limits, frozen. */
  readonly capabilities: BackendCapabilities;

  private readonly life: BackendLifecycle;
  private readonly collections = new Map<string, MemoryCollection>();

  /**
   * @param options - Name and capabilities.
   * @throws `InvalidOptionError` when the name is empty or a capability is not a
   *   positive integer.
   */
  constructor(options: MemoryBackendOptions = {}) {
    this.endpoint = `memory://${resolveName(options.name)}`;
    this.life = new BackendLifecycle(this.endpoint);
    this.capabilities = resolveCapabilities(options.capabilities);
  }

  /**
   * Opens the backend. Idempotent.
   *
   * @throws {@link ClosedError} after `close()`: a closed memory backend is final.
   */
  connect(options?: CallOptions): Promise<void> {
    return this.run('connect', undefined, options, (meta) => {
      this.life.open(options?.signal, meta);
    });
  }

  /** Frees every collection; every later call rejects with `ClosedError`. Idempotent. */
  close(): Promise<void> {
    this.life.close();
    for (const c of this.collections.values()) c.clear();
    this.collections.clear();
    return Promise.resolve();
  }

  /** Same as {@link MemoryBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Answers `ok: true` while open. */
  health(options?: CallOptions): Promise<HealthStatus> {
    return this.run('health', undefined, options, () => ({ ok: true, latencyMs: 0 }));
  }

  /** Creates a collection; idempotent for the same dimension and metric. */
  createCollection(name: string, spec: CollectionSpec, options?: CallOptions): Promise<void> {
    return this.run('createCollection', name, options, () => {
      validateCollectionName(name);
      const wanted = validateCollectionSpec(spec);
      const existing = this.collections.get(name);
      if (existing === undefined) {
        this.collections.set(name, new MemoryCollection(wanted));
        return;
      }
      const had = existing.spec;
      if (had.dimension !== wanted.dimension || had.metric !== wanted.metric) {
        throw new CollectionConflictError(
          `collection \`${name}\` exists with dimension ${had.dimension} and metric ${had.metric}, asked for dimension ${wanted.dimension} and metric ${wanted.metric}`,
        );
      }
    });
  }

  /** Drops a collection; `false` when there was none. */
  dropCollection(name: string, options?: CallOptions): Promise<boolean> {
    return this.run('dropCollection', name, options, () => {
      const c = this.collections.get(name);
      if (c === undefined) return false;
      c.clear();
      return this.collections.delete(name);
    });
  }

  /** Describes a collection. */
  describeCollection(name: string, options?: CallOptions): Promise<CollectionInfo> {
    return this.run('describeCollection', name, options, () => {
      const c = this.collection(name);
      const info: CollectionInfo = { name, ...c.spec, count: c.size };
      if (c.spec.index !== undefined) info.index = { ...c.spec.index };
      return info;
    });
  }

  /** Lists collection names, sorted. */
  listCollections(options?: CallOptions): Promise<string[]> {
    return this.run('listCollections', undefined, options, () =>
      [...this.collections.keys()].sort(),
    );
  }

  /** Inserts or replaces points; the whole batch is validated before anything is stored. */
  upsert(collection: string, points: readonly Point[], options?: CallOptions): Promise<void> {
    return this.run('upsert', collection, options, () => {
      const c = this.collection(collection);
      const list = this.batch(points, 'points');
      const records: MemoryRecord[] = new Array<MemoryRecord>(list.length);
      for (let i = 0; i < list.length; i++) {
        const path = `points[${i}]`;
        const p: unknown = list[i];
        if (typeof p !== 'object' || p === null) {
          throw new InvalidArgumentError(
            `\`${path}\` must be an object, received ${describeValue(p)}`,
          );
        }
        const { id, key, vector, payload } = preparePoint(p, path, c.spec);
        records[i] = makeRecord(id, key, vector, payload);
      }
      c.upsert(records);
    });
  }

  /** Deletes points by id; missing ids are ignored. */
  delete(collection: string, ids: readonly PointId[], options?: CallOptions): Promise<void> {
    return this.run('delete', collection, options, () => {
      const c = this.collection(collection);
      c.delete(this.keysOf(ids));
    });
  }

  /** Reads points by id, in the order asked, without missing or repeated ids. */
  get(
    collection: string,
    ids: readonly PointId[],
    request?: GetRequest,
    options?: CallOptions,
  ): Promise<StoredPoint[]> {
    return this.run('get', collection, options, () => {
      const c = this.collection(collection);
      const withVector = request?.includeVector === true;
      return storedPointsOf(this.keysOf(ids), (key) => c.get(key), withVector);
    });
  }

  /** Counts points, optionally only those matching a filter. */
  count(collection: string, filter?: FilterNode, options?: CallOptions): Promise<number> {
    return this.run('count', collection, options, () => this.collection(collection).count(filter));
  }

  /** Exact search; one list of hits per query vector, best first. */
  search(
    collection: string,
    request: BackendSearchRequest,
    options?: CallOptions,
  ): Promise<Hit[][]> {
    return this.run('search', collection, options, (meta) => {
      const c = this.collection(collection);
      if (typeof request !== 'object' || (request as unknown) === null) {
        throw new InvalidArgumentError(
          `\`request\` must be an object, received ${describeValue(request)}`,
        );
      }
      const { dimension, metric } = c.spec;
      const vectors = checkList(
        request.vectors,
        'request.vectors',
        this.capabilities.maxQueriesPerRequest,
        this.endpoint,
      );
      const queries = vectors.map((v, i) =>
        toVector(v, dimension, `request.vectors[${i}]`, metric),
      );
      const topK = checkCount(request.topK, 'request.topK', this.capabilities.maxTopK);
      const ranked = c.search(queries, topK, request.filter, () => {
        throwIfAborted(options?.signal, this.endpoint, meta);
      });
      return hitsOf(ranked, request.includePayload, request.includeVector);
    });
  }

  /** One page of ids in `idKey` order; the cursor resumes after the last id of the page. */
  scanIds(
    collection: string,
    page: { cursor?: string; limit: number },
    options?: CallOptions,
  ): Promise<IdPage> {
    return this.run('scanIds', collection, options, () => {
      const c = this.collection(collection);
      if (typeof page !== 'object' || (page as unknown) === null) {
        throw new InvalidArgumentError(
          `\`page\` must be an object, received ${describeValue(page)}`,
        );
      }
      const limit = checkCount(page.limit, 'page.limit', this.capabilities.maxPointsPerRequest);
      const after = page.cursor === undefined ? undefined : MEMORY_CURSORS.decode(page.cursor);
      const { keys, more } = c.scan(after, limit);
      return MEMORY_CURSORS.page(keys, more);
    });
  }

  /**
   * Runs one call: checks the lifecycle and the signal, and gives every error the call's meta.
   * Unexpected exceptions become `BackendError`s rather than escaping raw.
   */
  private run<T>(
    operation: string,
    collection: string | undefined,
    options: CallOptions | undefined,
    body: (meta: ErrorMeta) => T,
  ): Promise<T> {
    const meta = this.life.meta(operation, collection);
    try {
      // `connect` makes its own checks: it is the one call allowed before the backend is open.
      if (operation !== 'connect') this.life.check(options?.signal, meta);
      return Promise.resolve(body(meta));
    } catch (err) {
      if (err instanceof VecmeshError) return Promise.reject(err.withMeta(meta));
      return Promise.reject(
        new BackendError(`${this.endpoint} failed in \`${operation}\`: ${String(err)}`, {
          cause: err,
          meta,
        }),
      );
    }
  }

  private collection(name: string): MemoryCollection {
    const c = typeof name === 'string' ? this.collections.get(name) : undefined;
    if (c === undefined) {
      throw new CollectionNotFoundError(
        `collection ${typeof name === 'string' ? `\`${name}\`` : describeValue(name)} does not exist on ${this.endpoint}`,
      );
    }
    return c;
  }

  private batch<T>(value: readonly T[], path: string): readonly T[] {
    return checkList(value, path, this.capabilities.maxPointsPerRequest, this.endpoint);
  }

  private keysOf(ids: readonly PointId[]): string[] {
    return this.batch(ids, 'ids').map((id, i) => idKey(validateId(id, `ids[${i}]`)));
  }
}

/**
 * Creates a {@link MemoryBackend}.
 *
 * @param options - Name and capabilities.
 * @returns A backend; call `connect()` before using it.
 * @throws `InvalidOptionError` when an option is invalid.
 *
 * @example
 * ```ts
 * const backend = memoryBackend({ name: 'a', capabilities: { maxTopK: 100 } });
 * backend.endpoint; // 'memory://a'
 * ```
 */
export function memoryBackend(options?: MemoryBackendOptions): MemoryBackend {
  return new MemoryBackend(options);
}

/**
 * A handle on one logical collection spread over the mesh's shards.
 *
 * @module
 */
import { optionChoice, optionInteger } from '../core/options.js';
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Filter } from '../core/filter-ast.js';
import { parseFilter } from '../core/filter.js';
import type { CollectionSpec, Point, PointId, StoredPoint } from '../core/types.js';
import type { SearchKey } from '../cache/cache-key.js';
import type { MetricsOperation } from '../metrics/metrics-sink.js';
import { Deadline } from '../resilience/deadline.js';
import type { OperationSpan } from '../tracing/mesh-tracer.js';
import { OPERATION_OPTION_KEYS, checkCallOptions } from './call-options.js';
import type { MeshContext, OperationOptions } from './context.js';
import type { WriteConsistency } from './options.js';
import { prepareIds, prepareUpsert } from './prepare-batch.js';
import { prepareSearch, type SearchRequest } from './prepare-search.js';
import type { SearchResult } from './search.js';
import type { WriteOperation, WriteResult } from './write.js';
import type { MeshView } from '../reshard/view.js';
import { countOnView, getOnView, searchOnView, writeOnView } from './view-ops.js';

/** Options of `upsert` and `delete`. */
export interface WriteOptions extends OperationOptions {
  /**
   * Replicas per shard that must acknowledge.
   * @default the mesh's `replication.writeConsistency`
   */
  consistency?: WriteConsistency;
}

/** Options of `search`. */
export interface SearchOptions extends OperationOptions {
  /**
   * Tenant scope of the search for the result cache: cached results never cross tenants. Give
   * it whenever the filter alone does not tell tenants apart. Must be a string, checked with or
   * without a cache.
   * @default undefined (results are shared by every caller with the same request)
   */
  tenant?: string;
  /**
   * What to do when a shard cannot answer in any cluster.
   * @default the mesh's `partialResults`
   */
  partialResults?: 'fail' | 'allow';
}

/** Options of `get`. */
export interface GetOptions extends OperationOptions {
  /**
   * Return vectors too.
   * @default false
   */
  includeVector?: boolean;
}

/** Options of `count`. */
export interface CountOptions extends OperationOptions {
  /** Count only points whose payload matches. */
  filter?: Filter;
}

const WRITE_OPTION_KEYS = [
  ...OPERATION_OPTION_KEYS,
  'consistency',
] as const satisfies readonly (keyof WriteOptions)[];

/** The options each operation accepts; any other key is refused. */
const OPTION_KEYS = {
  upsert: WRITE_OPTION_KEYS,
  delete: WRITE_OPTION_KEYS,
  search: [
    ...OPERATION_OPTION_KEYS,
    'tenant',
    'partialResults',
  ] as const satisfies readonly (keyof SearchOptions)[],
  get: [...OPERATION_OPTION_KEYS, 'includeVector'] as const satisfies readonly (keyof GetOptions)[],
  count: [...OPERATION_OPTION_KEYS, 'filter'] as const satisfies readonly (keyof CountOptions)[],
  describe: OPERATION_OPTION_KEYS,
} satisfies Partial<Record<MetricsOperation, readonly string[]>>;

const UPSERT: WriteOperation<Point> = {
  name: 'upsert',
  send: (replica, name, points, signal) => replica.backend.upsert(name, points, { signal }),
  hint: (collection, points) => ({ collection, op: 'upsert', points }),
};

const DELETE: WriteOperation<PointId> = {
  name: 'delete',
  send: (replica, name, ids, signal) => replica.backend.delete(name, ids, { signal }),
  hint: (collection, ids) => ({ collection, op: 'delete', ids }),
};

/**
 * One logical collection: every operation is routed to the shards that own the data.
 * Obtain it from `mesh.createCollection()` or `mesh.collection()`.
 *
 * @example
 * ```ts
 * const docs = await mesh.createCollection('docs', { dimension: 3, metric: 'cosine' });
 * await docs.upsert([{ id: 'a', vector: [1, 0, 0], payload: { lang: 'en' } }]);
 * const { hits } = await docs.search({ vectors: [[1, 0, 0]], topK: 5 });
 * ```
 */
export class Collection {
  /** @internal */
  constructor(
    private readonly ctx: MeshContext,
    /** The collection's logical name. */
    readonly name: string,
  ) {}

  /**
   * Inserts or replaces points by id, routed to their shards in chunks sent in parallel.
   *
   * @throws `InvalidBatchError` when any point is invalid (nothing is written).
   * @throws `PartialWriteError` listing the ids not acknowledged (the others were).
   * @throws `CollectionNotFoundError`, `ClosedError`, `TimeoutError`, `AbortedError`.
   */
  upsert(points: readonly Point[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.operation('upsert', options, async (deadline, spec, span, view) => {
      const items = prepareUpsert(
        points,
        spec,
        view.topology.sharding.key,
        this.ctx.options.limits.maxBatchPoints,
      );
      const consistency = this.consistency(options, view);
      return this.invalidatingAfter(
        writeOnView(view, this.name, items, consistency, deadline, UPSERT, span),
      );
    });
  }

  /**
   * Deletes points by id; ids that do not exist are ignored.
   *
   * @throws `InvalidBatchError`, `PartialWriteError`, as for {@link Collection.upsert}.
   */
  delete(ids: readonly PointId[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.operation('delete', options, (deadline, _spec, span, view) => {
      const items = prepareIds(
        ids,
        view.topology.sharding.key,
        this.ctx.options.limits.maxBatchPoints,
        'delete',
      );
      const consistency = this.consistency(options, view);
      return this.invalidatingAfter(
        writeOnView(view, this.name, items, consistency, deadline, DELETE, span),
      );
    });
  }

  /**
   * Reads points by id from their owners; missing ids are left out. The answer follows the
   * order of `ids`.
   *
   * @throws `InvalidBatchError` for an invalid id; `ShardUnavailableError` when an owner shard
   * has no replica that answers.
   */
  get(ids: readonly PointId[], options: GetOptions = {}): Promise<StoredPoint[]> {
    return this.operation('get', options, (deadline, _spec, _span, view) => {
      const items = prepareIds(
        ids,
        view.topology.sharding.key,
        this.ctx.options.limits.maxBatchPoints,
        'get',
      );
      const includeVector = optionalFlag(options.includeVector, 'includeVector');
      return getOnView(view, this.name, items, includeVector, deadline);
    });
  }

  /**
   * Counts points (optionally matching a filter) over the shards of the preferred cluster.
   *
   * @throws `InvalidFilterError` for a malformed filter; `ShardUnavailableError`.
   */
  count(options: CountOptions = {}): Promise<number> {
    return this.operation('count', options, (deadline, _spec, _span, view) =>
      countOnView(view, this.name, parseFilter(options.filter), deadline),
    );
  }

  /**
   * Searches every shard that can hold a match (all of them, unless the filter pins the shard
   * key) and merges the answers into one top-k per query vector.
   *
   * @throws `InvalidArgumentError`, `InvalidVectorError`, `InvalidFilterError` for a bad request;
   * `ShardUnavailableError` when a shard has no replica that answers.
   */
  search(request: SearchRequest, options: SearchOptions = {}): Promise<SearchResult> {
    return this.operation('search', options, async (deadline, spec, span, view) => {
      const prepared = prepareSearch(request, spec, this.ctx.options);
      // Checked whether or not a cache is configured, so that adding one never turns a call
      // that worked into an error.
      if (options.tenant !== undefined && typeof options.tenant !== 'string') {
        throw new InvalidArgumentError(
          `\`tenant\` must be a string, received ${describeValue(options.tenant)}`,
        );
      }
      const partial = optionChoice(
        options.partialResults,
        'partialResults',
        this.ctx.options.partialResults,
        ['fail', 'allow'] as const,
      );
      const run = () => searchOnView(view, this.name, spec, prepared, deadline, partial, span);
      const cache = this.ctx.cache;
      // A partial answer must never be cached, so searches that allow one bypass the cache.
      if (cache === undefined || partial === 'allow') return run();
      const key: SearchKey = {
        collection: this.name,
        epoch: view.topology.epoch,
        vectors: prepared.vectors,
        topK: prepared.topK,
        offset: prepared.offset,
        includePayload: prepared.includePayload,
        includeVector: prepared.includeVector,
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        ...(prepared.filter === undefined ? {} : { filter: prepared.filter }),
        ...(prepared.params === undefined ? {} : { params: prepared.params }),
      };
      return (await cache.getOrCompute(key, run)).value;
    });
  }

  /** The collection's dimension, metric and index, as the mesh knows them. */
  describe(options: OperationOptions = {}): Promise<CollectionSpec> {
    return this.operation('describe', options, (_deadline, spec) => Promise.resolve(spec));
  }

  /**
   * Runs one operation under its own deadline and span, with the collection's spec at hand, on
   * the view in force when it started (pinned until it settles, so that a topology change waits
   * for it), and reports its outcome and duration to the metrics sink. Its options are checked
   * first (an object, only the keys the operation knows, a real `AbortSignal`).
   */
  private async operation<T>(
    name: keyof typeof OPTION_KEYS,
    options: OperationOptions,
    body: (
      deadline: Deadline,
      spec: CollectionSpec,
      span: OperationSpan,
      view: MeshView<MeshContext>,
    ) => Promise<T>,
  ): Promise<T> {
    checkCallOptions(options, OPTION_KEYS[name]);
    this.ctx.assertOpen();
    const timeoutMs = optionInteger(
      options.timeoutMs,
      'timeoutMs',
      this.ctx.options.timeoutMs,
      1,
      2_147_483_647,
    );
    const started = performance.now();
    const deadline = new Deadline(timeoutMs, name, options.signal);
    const pinned = this.ctx.pin();
    try {
      const result = await this.ctx.tracer.operation(
        name,
        { collection: this.name },
        async (span) => {
          const spec = await deadline.race(this.ctx.spec(this.name, deadline.signal));
          return body(deadline, spec, span, pinned.view);
        },
      );
      this.ctx.metrics.operation(name, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.ctx.metrics.operation(name, 'error', (performance.now() - started) / 1000);
      throw error;
    } finally {
      pinned.release();
      deadline.dispose();
    }
  }

  /** Invalidates the collection's cached searches once a write has settled, whatever its outcome. */
  private async invalidatingAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      await this.ctx.cache?.invalidate(this.name);
    }
  }

  private consistency(options: WriteOptions, view: MeshView<MeshContext>): WriteConsistency {
    const value = options.consistency;
    if (value === undefined) return this.ctx.options.replication.writeConsistency;
    if (typeof value === 'number') {
      const topologies = [view.topology, view.migration?.topology].filter((t) => t !== undefined);
      const smallest = Math.min(
        ...topologies.flatMap((t) =>
          t.clusters.flatMap((c) => c.shards.map((s) => s.replicas.length)),
        ),
      );
      return optionInteger(value, 'consistency', 1, 1, smallest);
    }
    return optionChoice(value, 'consistency', 'quorum', ['one', 'quorum', 'all'] as const);
  }
}

function optionalFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(
      `\`${name}\` must be a boolean, received ${describeValue(value)}`,
    );
  }
  return value;
}

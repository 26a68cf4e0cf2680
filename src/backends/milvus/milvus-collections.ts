/**
 * Collections as vecmesh lays them out in Milvus: what the server says of one (dimension,
 * metric, index), whether it matches a spec, and its creation (schema, index, load), with a
 * cache of what was described so that a write or search costs one round trip.
 *
 * @module
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import {
  CollectionConflictError,
  CollectionNotFoundError,
  type ErrorMeta,
} from '../../core/errors.js';
import type { CollectionInfo, CollectionSpec, Metric } from '../../core/types.js';
import { callMilvus } from './milvus-call.js';
import {
  checkStatus,
  collectionNotFound,
  isIndexMissing,
  isSuccess,
  statusError,
  statusOf,
} from './milvus-errors.js';
import type { ResolvedMilvusBackendOptions } from './milvus-options.js';
import {
  MILVUS_FIELDS,
  collectionFields,
  fromMilvusMetric,
  indexPlan,
  toMilvusMetric,
} from './milvus-schema.js';

const F = MILVUS_FIELDS;

/** What the adapter knows of one collection on the server. */
export interface MilvusDescribed {
  /** The vector field's dimension. */
  readonly dimension: number;
  /** The index's metric (meaningless while `indexType` is undefined). */
  readonly metric: Metric;
  /** The vector index's type, e.g. `HNSW`; undefined when there is no index yet. */
  readonly indexType: string | undefined;
}

/**
 * The vecmesh collections of one Milvus server, as one backend sees them.
 *
 * @example
 * ```ts
 * const collections = new MilvusCollections(resolveMilvusOptions({ address: '127.0.0.1:19530' }));
 * const described = await collections.require(client, 'docs', signal, meta, true);
 * ```
 */
export class MilvusCollections {
  // Collections described before. An entry is dropped whenever a call on its collection fails,
  // in case another client changed it.
  private readonly known = new Map<string, MilvusDescribed>();

  /** @param options - The backend's endpoint, consistency level and index option. */
  constructor(private readonly options: ResolvedMilvusBackendOptions) {}

  /**
   * Forgets what was described of a collection.
   *
   * @param name - The collection.
   */
  forget(name: string): void {
    this.known.delete(name);
  }

  /**
   * Creates a collection (schema, index, load), or checks and prepares the one that exists (or
   * that another client created meanwhile).
   *
   * @param client - The SDK client.
   * @param name - A valid collection name.
   * @param wanted - A valid spec.
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta.
   * @throws `CollectionConflictError` when it exists with another dimension or metric, or is not
   *   a vecmesh collection; the classes of `milvus-errors.ts` for failed calls.
   */
  async create(
    client: MilvusClient,
    name: string,
    wanted: CollectionSpec,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<void> {
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
  }

  /**
   * Drops a collection, whatever its layout.
   *
   * @param client - The SDK client.
   * @param name - A valid collection name.
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta.
   * @returns `false` when there was none.
   * @throws The classes of `milvus-errors.ts` for failed calls.
   */
  async drop(
    client: MilvusClient,
    name: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<boolean> {
    // Only whether it exists: a collection of another layout is dropped all the same.
    this.known.delete(name);
    const described = await callMilvus(
      () => client.describeCollection({ collection_name: name, cache: false }),
      signal,
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
      signal,
      meta,
    );
    checkStatus(answer, meta);
    return true;
  }

  /**
   * Describes a collection as vecmesh laid it out, or `undefined` when there is none; remembers
   * it once it has an index.
   *
   * @param client - The SDK client.
   * @param name - The collection.
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta.
   * @throws `CollectionConflictError` when it lacks vecmesh's fields or uses an unknown metric.
   */
  async describe(
    client: MilvusClient,
    name: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
  ): Promise<MilvusDescribed | undefined> {
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
        `${this.options.endpoint}: collection \`${name}\` exists but was not created by vecmesh (it lacks the \`${F.id}\` and \`${F.vector}\` fields)`,
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
        `${this.options.endpoint}: collection \`${name}\` uses the metric ${metricName}, which vecmesh does not know`,
        { meta },
      );
    }
    const described: MilvusDescribed = {
      dimension: dim,
      metric: metric ?? ('' as Metric),
      indexType,
    };
    if (indexType !== undefined) this.known.set(name, described);
    return described;
  }

  /**
   * Like {@link MilvusCollections.describe}, but a missing collection is an error.
   *
   * @param cached - Answer from what was described before, when there is something.
   * @throws `CollectionNotFoundError` when there is no such collection.
   */
  async require(
    client: MilvusClient,
    name: string,
    signal: AbortSignal | undefined,
    meta: ErrorMeta,
    cached: boolean,
  ): Promise<MilvusDescribed> {
    const known = cached ? this.known.get(name) : undefined;
    if (known !== undefined) return known;
    const described = await this.describe(client, name, signal, meta);
    if (described === undefined) throw collectionNotFound(name, meta);
    return described;
  }

  private checkSame(name: string, had: MilvusDescribed, wanted: CollectionSpec): void {
    const sameMetric = had.indexType === undefined || had.metric === wanted.metric;
    if (had.dimension !== wanted.dimension || !sameMetric) {
      throw new CollectionConflictError(
        `${this.options.endpoint}: collection \`${name}\` exists with dimension ${had.dimension} and metric ${had.metric}, asked for dimension ${wanted.dimension} and metric ${wanted.metric}`,
      );
    }
  }

  /** Builds the index when there is none yet, then loads the collection (idempotent). */
  private async prepare(
    client: MilvusClient,
    name: string,
    spec: CollectionSpec,
    existing: MilvusDescribed | undefined,
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
}

/**
 * A described collection as `describeCollection` answers it: the index type only when vecmesh
 * knows it (`FLAT` or `HNSW`).
 *
 * @param name - The collection.
 * @param described - What the server said of it.
 * @param count - Its number of points.
 * @returns The collection's info.
 *
 * @example
 * ```ts
 * collectionInfo('docs', { dimension: 3, metric: 'l2', indexType: 'FLAT' }, 10);
 * // { name: 'docs', dimension: 3, metric: 'l2', count: 10, index: { type: 'flat' } }
 * ```
 */
export function collectionInfo(
  name: string,
  described: MilvusDescribed,
  count: number,
): CollectionInfo {
  const info: CollectionInfo = {
    name,
    dimension: described.dimension,
    metric: described.metric,
    count,
  };
  if (described.indexType === 'FLAT') info.index = { type: 'flat' };
  else if (described.indexType === 'HNSW') info.index = { type: 'hnsw' };
  return info;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Collections between vecmesh and Qdrant: a collection spec as Qdrant's create body (one
 * unnamed vector with its distance, `hnsw_config` for the index), a collection Qdrant
 * describes read back as a spec, and the requests that create, drop, describe and list
 * collections, with a cache of each collection's metric (searches need it to score).
 *
 * @module
 */
import {
  BackendError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  type ErrorMeta,
} from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import type { CollectionSpec, IndexSpec, Metric } from '../../core/types.js';
import { checkName } from '../argument-checks.js';
import type { QdrantSend } from './qdrant-http.js';

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

/** What the adapter reads of Qdrant's `CollectionInfo`. */
export interface QdrantCollectionAnswer {
  /** The collection's configuration. */
  config?: {
    /** Its vectors: `{ size, distance }` for one unnamed vector. */
    params?: { vectors?: unknown };
    /** Its HNSW graph parameters. */
    hnsw_config?: { m?: unknown; ef_construct?: unknown };
  };
}

/** The vector and index part of Qdrant's create-collection body. */
export interface QdrantCollectionConfig {
  /** One unnamed vector of the spec's dimension and distance. */
  vectors: { size: number; distance: 'Cosine' | 'Euclid' | 'Dot' };
  /** `m` and `ef_construct`, when the spec's index sets them (`m: 0` for `flat`). */
  hnsw_config?: Record<string, number>;
}

/**
 * The create-collection body of a spec: `vectors: { size, distance }`, and `hnsw_config` from
 * its index. `index.type: 'flat'` is `m: 0` (no graph: exact search); `m` and `efConstruction`
 * become `m` and `ef_construct`.
 *
 * @param spec - A validated collection spec.
 * @returns The body's `vectors` and, when the index sets anything, `hnsw_config`.
 *
 * @example
 * ```ts
 * collectionConfig({ dimension: 3, metric: 'l2', index: { type: 'flat' } });
 * // { vectors: { size: 3, distance: 'Euclid' }, hnsw_config: { m: 0 } }
 * ```
 */
export function collectionConfig(spec: CollectionSpec): QdrantCollectionConfig {
  const hnsw = hnswConfig(spec.index);
  const vectors = { size: spec.dimension, distance: DISTANCE[spec.metric] };
  return hnsw === undefined ? { vectors } : { vectors, hnsw_config: hnsw };
}

/**
 * The spec of a collection Qdrant describes: dimension and metric of its one unnamed vector,
 * and its index when `hnsw_config` says.
 *
 * @param info - Qdrant's answer to `GET /collections/{name}`.
 * @param collection - The collection's name, for the message.
 * @param endpoint - The server, for the message.
 * @param meta - The call's meta.
 * @returns The spec.
 * @throws `BackendError` (not retryable) when the collection has named vectors or a distance
 *   vecmesh does not know.
 *
 * @example
 * ```ts
 * specOf({ config: { params: { vectors: { size: 3, distance: 'Dot' } } } }, 'docs', origin, meta);
 * // { dimension: 3, metric: 'ip' }
 * ```
 */
export function specOf(
  info: QdrantCollectionAnswer,
  collection: string,
  endpoint: string,
  meta: ErrorMeta,
): CollectionSpec {
  const vectors = info.config?.params?.vectors;
  const size = isPlainObject(vectors) ? vectors.size : undefined;
  const distance = isPlainObject(vectors) ? vectors.distance : undefined;
  const metric = typeof distance === 'string' ? METRIC_OF[distance] : undefined;
  if (typeof size !== 'number' || metric === undefined) {
    throw new BackendError(
      `${endpoint}: collection \`${collection}\` is not one vecmesh can use: it needs one unnamed vector with distance Cosine, Euclid or Dot, found ${JSON.stringify(vectors ?? null)}`,
      { meta, retryable: false },
    );
  }
  const spec: CollectionSpec = { dimension: size, metric };
  const index = indexOf(info.config?.hnsw_config);
  if (index !== undefined) spec.index = index;
  return spec;
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

/**
 * The names in Qdrant's answer to `GET /collections`, sorted; entries without a name are left
 * out.
 *
 * @param answer - The answer's `result`.
 * @returns The names.
 *
 * @example
 * ```ts
 * collectionNamesOf({ collections: [{ name: 'b' }, { name: 'a' }] }); // ['a', 'b']
 * ```
 */
export function collectionNamesOf(answer: { collections?: unknown }): string[] {
  const list = Array.isArray(answer.collections) ? (answer.collections as unknown[]) : [];
  return list
    .map((c) => (isPlainObject(c) && typeof c.name === 'string' ? c.name : undefined))
    .filter((n): n is string => n !== undefined)
    .sort();
}

/**
 * The collections of one Qdrant server, as one backend sees them: each method makes the
 * requests of one backend call through the call's `send`.
 *
 * @example
 * ```ts
 * const collections = new QdrantCollections('http://127.0.0.1:6333');
 * await collections.create(send, 'docs', { dimension: 3, metric: 'cosine' }, meta);
 * const metric = await collections.metric(send, 'docs', meta); // 'cosine', from the cache
 * ```
 */
export class QdrantCollections {
  // Scores need the metric (Euclid answers distances); learnt from create and describe.
  private readonly metrics = new Map<string, Metric>();

  /** @param endpoint - The server's origin, for messages. */
  constructor(private readonly endpoint: string) {}

  /**
   * Forgets the metric of a collection, e.g. when Qdrant says it does not exist.
   *
   * @param name - The collection.
   */
  forget(name: string): void {
    this.metrics.delete(name);
  }

  /** Forgets every metric. */
  clear(): void {
    this.metrics.clear();
  }

  /**
   * Creates a collection (`PUT /collections/{name}`). When it exists, reads it back: the same
   * dimension and metric is success, others a conflict.
   *
   * @param send - The call's requests.
   * @param name - The collection's name (checked once the lifecycle is).
   * @param spec - A validated spec.
   * @param meta - The call's meta.
   * @throws `CollectionConflictError` when it exists with another dimension or metric;
   *   `InvalidArgumentError` for a bad name; the classes of `qdrant-errors.ts` for failed
   *   requests.
   */
  async create(
    send: QdrantSend,
    name: string,
    spec: CollectionSpec,
    meta: ErrorMeta,
  ): Promise<void> {
    const config = collectionConfig(spec);
    try {
      await send<boolean>((api, init) =>
        api.createCollection({ collection_name: checkName(name, meta), ...config }, init),
      );
    } catch (err) {
      // Qdrant before 1.8 answered 400 "already exists" where later ones answer 409.
      const exists =
        err instanceof CollectionConflictError ||
        (err instanceof InvalidArgumentError && /already exists/i.test(err.message));
      if (!exists) throw err;
      const existing = await this.spec(send, name, meta);
      if (existing.dimension !== spec.dimension || existing.metric !== spec.metric) {
        throw new CollectionConflictError(
          `${this.endpoint}: collection \`${name}\` exists with dimension ${existing.dimension} and metric ${existing.metric}, not ${spec.dimension} and ${spec.metric}`,
          { meta, cause: err },
        );
      }
      return;
    }
    this.metrics.set(name, spec.metric);
  }

  /**
   * Drops a collection (`DELETE /collections/{name}`).
   *
   * @param send - The call's requests.
   * @param name - The collection's name.
   * @param meta - The call's meta.
   * @returns `false` when there was none.
   * @throws `InvalidArgumentError` for a bad name; the classes of `qdrant-errors.ts` for a
   *   failed request.
   */
  async drop(send: QdrantSend, name: string, meta: ErrorMeta): Promise<boolean> {
    const collection = checkName(name, meta);
    this.metrics.delete(name);
    try {
      const dropped = await send<unknown>((api, init) =>
        api.deleteCollection({ collection_name: collection }, init),
      );
      return dropped === true;
    } catch (err) {
      // Qdrant answers 200 `result: false` for a missing collection; accept a 404 too.
      if (err instanceof CollectionNotFoundError) return false;
      throw err;
    }
  }

  /**
   * The dimension, metric and index of an existing collection (`GET /collections/{name}`);
   * remembers the metric.
   *
   * @param send - The call's requests.
   * @param collection - The collection's name.
   * @param meta - The call's meta.
   * @returns Its spec.
   * @throws `CollectionNotFoundError` when there is none; `BackendError` (not retryable) when
   *   vecmesh cannot use it (see {@link specOf}).
   */
  async spec(send: QdrantSend, collection: string, meta: ErrorMeta): Promise<CollectionSpec> {
    const name = checkName(collection, meta);
    const info = await send<QdrantCollectionAnswer>((api, init) =>
      api.getCollection({ collection_name: name }, init),
    );
    const spec = specOf(info, collection, this.endpoint, meta);
    this.metrics.set(collection, spec.metric);
    return spec;
  }

  /**
   * The metric of a collection: the one remembered, else read as by {@link QdrantCollections.spec}.
   *
   * @param send - The call's requests.
   * @param collection - The collection's name.
   * @param meta - The call's meta.
   * @returns Its metric.
   * @throws Like {@link QdrantCollections.spec}, when it is not remembered.
   */
  async metric(send: QdrantSend, collection: string, meta: ErrorMeta): Promise<Metric> {
    return this.metrics.get(collection) ?? (await this.spec(send, collection, meta)).metric;
  }

  /**
   * Lists collection names (`GET /collections`), sorted.
   *
   * @param send - The call's requests.
   * @returns The names.
   * @throws The classes of `qdrant-errors.ts` for a failed request.
   */
  async list(send: QdrantSend): Promise<string[]> {
    const answer = await send<{ collections?: unknown }>((api, init) =>
      api.getCollections({}, init),
    );
    return collectionNamesOf(answer);
  }
}

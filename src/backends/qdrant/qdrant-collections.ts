/**
 * Collections between vecmesh and Qdrant: a collection spec as Qdrant's create body (one
 * unnamed vector with its distance, `hnsw_config` for the index), and a collection Qdrant
 * describes read back as a spec.
 *
 * @module
 */
import { BackendError, type ErrorMeta } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';
import type { CollectionSpec, IndexSpec, Metric } from '../../core/types.js';

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

/**
 * The data model shared by the mesh, the backends and the application.
 *
 * @module
 */

/**
 * How similarity between two vectors is measured.
 *
 * - `cosine`: cosine similarity in [-1, 1], higher is better.
 * - `ip`: inner (dot) product, higher is better.
 * - `l2`: squared Euclidean distance, lower is better.
 */
export type Metric = 'cosine' | 'ip' | 'l2';

/** Every metric vecmesh understands, in a stable order. */
export const METRICS: readonly Metric[] = Object.freeze(['cosine', 'ip', 'l2']);

/**
 * The identity of a point: a non-empty string (at most {@link MAX_ID_LENGTH} characters)
 * or a safe integer. `1` and `'1'` are different ids.
 */
export type PointId = string | number;

/** The longest string id accepted, in UTF-16 code units. */
export const MAX_ID_LENGTH = 512;

/** A JSON value, as stored in a payload. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The application data stored beside a vector: a plain JSON object. */
export type Payload = Record<string, JsonValue>;

/** A vector, as an array of finite numbers or a `Float32Array`. */
export type Vector = readonly number[] | Float32Array;

/** One stored item: an id, its vector and an optional payload. */
export interface Point {
  /** The point's identity; writing the same id again replaces the point (upsert). */
  id: PointId;
  /** The embedding; its length must equal the collection's dimension. */
  vector: Vector;
  /** Optional JSON object stored beside the vector and returned with hits. */
  payload?: Payload;
}

/** A point read back from a backend. */
export interface StoredPoint {
  /** The point's identity. */
  id: PointId;
  /** The stored vector, present when it was asked for. */
  vector?: number[];
  /** The stored payload (an empty object when the point has none). */
  payload: Payload;
}

/** One search result. */
export interface Hit {
  /** The matching point's id. */
  id: PointId;
  /**
   * The score under the collection's metric: a similarity for `cosine` and `ip` (higher is
   * better), a squared Euclidean distance for `l2` (lower is better).
   */
  score: number;
  /** The payload, when `includePayload` was asked for. */
  payload?: Payload;
  /** The vector, when `includeVector` was asked for. */
  vector?: number[];
}

/** The index a backend builds for a collection. Backends may ignore what they cannot honour. */
export interface IndexSpec {
  /**
   * `hnsw` for an approximate graph index, `flat` for exact search.
   * @default 'hnsw'
   */
  type?: 'hnsw' | 'flat';
  /** HNSW graph degree. @default backend-specific (16 on the reference node) */
  m?: number;
  /** HNSW build-time expansion. @default backend-specific (128 on the reference node) */
  efConstruction?: number;
}

/** What a collection is: its dimension, metric and index. */
export interface CollectionSpec {
  /** Length of every vector, 1..{@link MAX_DIMENSION}. */
  dimension: number;
  /** How vectors are compared. */
  metric: Metric;
  /** The index to build; backends without indexes ignore it. */
  index?: IndexSpec;
}

/** The largest dimension accepted. */
export const MAX_DIMENSION = 65_536;

/** A collection as described by one backend. */
export interface CollectionInfo extends CollectionSpec {
  /** The collection's name on that backend. */
  name: string;
  /** Number of points stored. */
  count: number;
}

/** Per-search tuning passed through to backends. */
export interface SearchParams {
  /** HNSW search expansion; larger is slower and more accurate. */
  ef?: number;
  /**
   * Force an exact (brute-force) search.
   * @default false
   */
  exact?: boolean;
}

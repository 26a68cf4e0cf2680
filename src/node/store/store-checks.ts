/**
 * The store's own checks of what it is asked to do. The node's HTTP server validates every
 * request first; these checks are the last line before the write-ahead log, so that nothing
 * malformed is ever logged (a bad record would stop every later replay at that point).
 *
 * @module
 */
import { checkArray, checkInteger } from '../../backends/argument-checks.js';
import { preparePoint, type PreparedPoint } from '../../backends/memory/request-checks.js';
import { ScanCursorCodec } from '../../backends/scan-pages.js';
import { validateCollectionSpec } from '../../core/collection-spec.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { validateId } from '../../core/ids.js';
import { isPlainObject } from '../../core/payload.js';
import type { CollectionSpec, Metric, Point, PointId } from '../../core/types.js';
import { toVector } from '../../core/vector.js';

export {
  validateCollectionName,
  type PreparedPoint,
} from '../../backends/memory/request-checks.js';

/** HNSW graph degree when the spec gives none. */
export const DEFAULT_HNSW_M = 16;
/** HNSW build-time expansion when the spec gives none. */
export const DEFAULT_EF_CONSTRUCTION = 128;
/** HNSW search expansion of every index (a request may ask for more, see `ann-index.ts`). */
export const DEFAULT_EF_SEARCH = 64;
/** The largest HNSW degree accepted. */
export const MAX_HNSW_M = 256;
/** The largest build-time expansion accepted. */
export const MAX_EF_CONSTRUCTION = 65_536;

/** A collection's index with every default filled in. */
export type StoreIndexSpec =
  | { readonly type: 'hnsw'; readonly m: number; readonly efConstruction: number }
  | { readonly type: 'flat' };

/** A collection spec as the store keeps it: validated, index resolved, frozen. */
export interface StoreSpec extends CollectionSpec {
  /** Length of every vector. */
  readonly dimension: number;
  /** How vectors are compared. */
  readonly metric: Metric;
  /** The resolved index. */
  readonly index: StoreIndexSpec;
}

/**
 * Checks a collection spec and resolves its index: `hnsw` (the default, `m` 16 and
 * `efConstruction` 128 unless given) or `flat` (exact search only).
 *
 * @param spec - The candidate spec.
 * @returns A frozen copy.
 * @throws {@link InvalidArgumentError} for a bad dimension, metric, index type or parameter.
 * @example
 * ```ts
 * normalizeSpec({ dimension: 3, metric: 'l2' }).index; // { type: 'hnsw', m: 16, efConstruction: 128 }
 * normalizeSpec({ dimension: 3, metric: 'l2', index: { type: 'flat' } }).index; // { type: 'flat' }
 * ```
 */
export function normalizeSpec(spec: unknown): StoreSpec {
  const { dimension, metric } = validateCollectionSpec(spec);
  const index: unknown = (spec as { index?: unknown }).index;
  if (index !== undefined && !isPlainObject(index)) {
    throw new InvalidArgumentError(
      `\`spec.index\` must be an object, received ${describeValue(index)}`,
    );
  }
  const { type, m, efConstruction } = index ?? {};
  if (type !== undefined && type !== 'hnsw' && type !== 'flat') {
    throw new InvalidArgumentError(
      `\`spec.index.type\` must be 'hnsw' or 'flat', received ${describeValue(type)}`,
    );
  }
  const resolved: StoreIndexSpec =
    type === 'flat'
      ? { type: 'flat' }
      : {
          type: 'hnsw',
          m: m === undefined ? DEFAULT_HNSW_M : checkInteger(m, 'spec.index.m', 2, MAX_HNSW_M),
          efConstruction:
            efConstruction === undefined
              ? DEFAULT_EF_CONSTRUCTION
              : checkInteger(efConstruction, 'spec.index.efConstruction', 1, MAX_EF_CONSTRUCTION),
        };
  return Object.freeze({ dimension, metric, index: Object.freeze(resolved) });
}

/**
 * Checks a batch of points against a collection and makes private copies of them.
 *
 * @param points - The caller's points.
 * @param spec - The collection's spec.
 * @returns The copies, in order (a later point with the same id replaces an earlier one).
 * @throws {@link InvalidArgumentError} (or its subclass `InvalidVectorError`) naming the first
 *   bad point: a bad id, a vector of the wrong dimension or with a value that is not finite, a
 *   zero vector under cosine, a payload that is not JSON.
 * @example
 * ```ts
 * preparePoints([{ id: 1, vector: [1, 0] }], spec)[0].key; // 'n:1'
 * ```
 */
export function preparePoints(points: readonly Point[], spec: StoreSpec): PreparedPoint[] {
  const list = checkArray(points, 'points');
  return list.map((p: unknown, i) => {
    const path = `points[${i}]`;
    if (!isPlainObject(p)) {
      throw new InvalidArgumentError(`\`${path}\` must be an object, received ${describeValue(p)}`);
    }
    return preparePoint(p, path, spec);
  });
}

/**
 * Checks a list of ids.
 *
 * @param ids - The caller's ids.
 * @returns The ids (`-0` normalised to `0`).
 * @throws {@link InvalidArgumentError} naming the first bad id.
 * @example
 * ```ts
 * prepareIds([1, 'a']); // [1, 'a']
 * ```
 */
export function prepareIds(ids: readonly PointId[]): PointId[] {
  return checkArray(ids, 'ids').map((id: unknown, i) => validateId(id, `ids[${i}]`));
}

/**
 * Checks search query vectors and copies them.
 *
 * @param vectors - The query vectors.
 * @param spec - The collection's spec.
 * @returns Private copies.
 * @throws {@link InvalidArgumentError} (or `InvalidVectorError`) for a bad list or vector.
 * @example
 * ```ts
 * prepareQueries([Float32Array.of(1, 0)], spec);
 * ```
 */
export function prepareQueries(vectors: readonly Float32Array[], spec: StoreSpec): Float32Array[] {
  return checkArray(vectors, 'request.vectors').map((v: unknown, i) =>
    toVector(v, spec.dimension, `request.vectors[${i}]`, spec.metric),
  );
}

/**
 * The node's scan cursors: `r1.` and the last key of the page. They travel over HTTP as the
 * `cursor` query parameter, hence the name in messages.
 *
 * @example
 * ```ts
 * NODE_CURSORS.decode('nonsense'); // throws: `cursor` is not a cursor issued by this node
 * ```
 */
export const NODE_CURSORS = new ScanCursorCodec('r1.', 'cursor', 'this node');

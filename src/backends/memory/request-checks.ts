/**
 * Checks of the input of one memory-backend call: collection names, points and scan cursors.
 * (Abort signals are checked by `../abort.ts`, shared by every adapter.) The reference node's
 * store, which owns its points the same way, makes its name and point checks with these too.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { idKey, validateId } from '../../core/ids.js';
import { clonePayload, validatePayload } from '../../core/payload.js';
import type { CollectionSpec, Payload, PointId } from '../../core/types.js';
import { toVector } from '../../core/vector.js';
import { ScanCursorCodec } from '../scan-pages.js';

/** The longest collection name accepted. */
export const MAX_COLLECTION_NAME_LENGTH = 255;

/**
 * Checks a collection name: a non-empty string of at most {@link MAX_COLLECTION_NAME_LENGTH}
 * characters.
 *
 * @param name - The candidate name.
 * @throws {@link InvalidArgumentError} when it is not.
 *
 * @example
 * ```ts
 * validateCollectionName('docs'); // ok
 * validateCollectionName('');     // throws
 * ```
 */
export function validateCollectionName(name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_COLLECTION_NAME_LENGTH) {
    throw new InvalidArgumentError(
      `\`name\` must be a non-empty string of at most ${MAX_COLLECTION_NAME_LENGTH} characters, received ${describeValue(name)}`,
    );
  }
}

/** A checked point whose vector and payload are private copies, ready to be stored. */
export interface PreparedPoint {
  /** The id. */
  readonly id: PointId;
  /** `idKey(id)`. */
  readonly key: string;
  /** A private copy of the vector. */
  readonly vector: Float32Array;
  /** A private copy of the payload, or `undefined`. */
  readonly payload: Payload | undefined;
}

/**
 * Checks the fields of one point against a collection and copies them. The caller has checked
 * that the point is an object: the memory backend takes any object, the node's store only a
 * plain one, so that check stays with each of them.
 *
 * @param point - The caller's point.
 * @param path - Its name in messages, e.g. `points[3]`.
 * @param spec - The collection's dimension and metric.
 * @returns The point, with private copies of its vector and payload.
 * @throws {@link InvalidArgumentError} (or its subclass `InvalidVectorError`) for a bad id, a
 *   vector of the wrong dimension or with a value that is not finite, a zero vector under
 *   cosine, or a payload that is not JSON.
 *
 * @example
 * ```ts
 * preparePoint({ id: 1, vector: [1, 0] }, 'points[0]', { dimension: 2, metric: 'l2' }).key; // 'n:1'
 * ```
 */
export function preparePoint(
  point: { readonly id?: unknown; readonly vector?: unknown; readonly payload?: unknown },
  path: string,
  spec: Pick<CollectionSpec, 'dimension' | 'metric'>,
): PreparedPoint {
  const id = validateId(point.id, `${path}.id`);
  const vector = toVector(point.vector, spec.dimension, `${path}.vector`, spec.metric);
  const payload = clonePayload(validatePayload(point.payload, `${path}.payload`));
  return { id, key: idKey(id), vector, payload };
}

/**
 * The memory backend's scan cursors: `m1.` and the last key of the page.
 *
 * @example
 * ```ts
 * MEMORY_CURSORS.decode('nonsense'); // throws: `page.cursor` is not a cursor issued by a memory backend
 * ```
 */
export const MEMORY_CURSORS = new ScanCursorCodec('m1.', 'page.cursor', 'a memory backend');

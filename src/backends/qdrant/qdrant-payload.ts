/**
 * Payloads as the Qdrant adapter stores them: the caller's payload unchanged, plus two reserved
 * keys. {@link QDRANT_ID_KEY} holds the original id; {@link QDRANT_TYPES_KEY} holds the JSON type
 * of every top-level field a filter can name, e.g. `{ year: 'n', tags: 'a' }`.
 *
 * Why the types: Qdrant's `match` and `range` also match the elements of an array, `range` has
 * no notion of a missing field versus `null`, and `is_empty` treats `[]` like a missing field.
 * The portable filter language says scalar operators never match arrays or objects and
 * `$exists` is about presence only; a condition on the type tag next to the value condition
 * makes the compiled filter exact (`./qdrant-filter.ts`).
 *
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { FIELD_NAME_PATTERN } from '../../core/filter-ast.js';
import type { JsonValue, Payload } from '../../core/types.js';
import { jsonTypeTag, type JsonTypeTag } from '../../core/payload.js';
import { QDRANT_ID_KEY } from './qdrant-ids.js';

/** The reserved payload key holding the JSON type of each filterable top-level field. */
export const QDRANT_TYPES_KEY = '__vecmesh_types';

/** The payload keys the adapter reserves; a caller's payload may not use them. */
export const QDRANT_RESERVED_KEYS: readonly string[] = Object.freeze([
  QDRANT_ID_KEY,
  QDRANT_TYPES_KEY,
]);

/**
 * The payload stored for a point: the caller's fields, the original id and the type tags.
 *
 * @param id - The original id.
 * @param payload - The caller's payload (already validated), or `undefined`.
 * @param path - Where the payload came from, for errors, e.g. `points[3].payload`.
 * @returns A new object; `payload` is not changed.
 * @throws {@link InvalidArgumentError} when the payload uses a reserved key.
 *
 * @example
 * ```ts
 * toStoredPayload('a', { year: 2020, tags: ['x'] }, 'payload');
 * // { year: 2020, tags: ['x'], __vecmesh_id: 'a', __vecmesh_types: { year: 'n', tags: 'a' } }
 * ```
 */
export function toStoredPayload(
  id: string | number,
  payload: Payload | undefined,
  path: string,
): Record<string, unknown> {
  const types: Record<string, JsonTypeTag> = {};
  const out: Record<string, unknown> = {};
  if (payload !== undefined) {
    for (const key of Object.keys(payload)) {
      if (QDRANT_RESERVED_KEYS.includes(key)) {
        throw new InvalidArgumentError(
          `\`${path}.${key}\` uses a payload key the Qdrant adapter reserves (${QDRANT_RESERVED_KEYS.join(', ')})`,
        );
      }
      const value = payload[key] as JsonValue;
      // `__proto__` must stay a plain data key, as JSON.parse would make it.
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      // Only names a filter can use need a tag.
      if (FIELD_NAME_PATTERN.test(key)) {
        Object.defineProperty(types, key, {
          value: jsonTypeTag(value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  out[QDRANT_ID_KEY] = id;
  out[QDRANT_TYPES_KEY] = types;
  return out;
}

/**
 * The caller's payload inside a stored one: every field but the reserved keys.
 *
 * @param stored - The payload Qdrant returned, or `null` / `undefined` when it returned none.
 * @returns A new object (empty when the point has no fields of its own).
 *
 * @example
 * ```ts
 * fromStoredPayload({ year: 2020, __vecmesh_id: 'a', __vecmesh_types: { year: 'n' } });
 * // { year: 2020 }
 * ```
 */
export function fromStoredPayload(stored: Record<string, unknown> | null | undefined): Payload {
  const out: Payload = {};
  if (stored === null || stored === undefined) return out;
  for (const key of Object.keys(stored)) {
    if (QDRANT_RESERVED_KEYS.includes(key)) continue;
    Object.defineProperty(out, key, {
      value: stored[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Point ids: validation and the canonical string key that keeps `1` and `'1'` apart.
 *
 * The key scheme (`n:<integer>` for numbers, `s:<string>` for strings) is shared with the
 * topology's shard keys and the memory backend's scan order; do not change it.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import { MAX_ID_LENGTH, type PointId } from './types.js';

const NUMBER_PREFIX = 'n:';
const STRING_PREFIX = 's:';

/**
 * Checks that a value is a usable point id and returns it.
 *
 * A point id is a non-empty string of at most {@link MAX_ID_LENGTH} UTF-16 code units, or a
 * safe integer (negative integers included). `-0` is returned as `0`.
 *
 * @param value - The candidate id.
 * @param path - Where the value came from, used in the error message (e.g. `ids[3]`).
 * @returns The id.
 * @throws {@link InvalidArgumentError} when the value is not a valid id.
 *
 * @example
 * ```ts
 * validateId('doc-1', 'id'); // 'doc-1'
 * validateId(42, 'id');      // 42
 * validateId(1.5, 'id');     // throws: `id` must be a non-empty string ... received number 1.5
 * ```
 */
export function validateId(value: unknown, path: string): PointId {
  if (typeof value === 'string') {
    if (value.length === 0) {
      throw new InvalidArgumentError(`\`${path}\` must be a non-empty string, received ""`);
    }
    if (value.length > MAX_ID_LENGTH) {
      throw new InvalidArgumentError(
        `\`${path}\` must be at most ${MAX_ID_LENGTH} characters long, received a string of length ${value.length}`,
      );
    }
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    // -0 and 0 are the same id; normalise so that keys and equality agree.
    return value === 0 ? 0 : value;
  }
  throw new InvalidArgumentError(
    `\`${path}\` must be a non-empty string of at most ${MAX_ID_LENGTH} characters or a safe integer, received ${describeValue(value)}`,
  );
}

/**
 * The canonical string key of an id: `n:<integer>` for numbers, `s:<string>` for strings, so
 * that `1` and `'1'` never collide in a map.
 *
 * @param id - A valid point id.
 * @returns The key.
 *
 * @example
 * ```ts
 * idKey(1);   // 'n:1'
 * idKey('1'); // 's:1'
 * ```
 */
export function idKey(id: PointId): string {
  return typeof id === 'number' ? `${NUMBER_PREFIX}${id}` : `${STRING_PREFIX}${id}`;
}

/**
 * Reverses {@link idKey}.
 *
 * @param key - A key produced by {@link idKey}.
 * @returns The id, or `undefined` when the key is not a well-formed id key.
 *
 * @example
 * ```ts
 * parseIdKey('n:7');  // 7
 * parseIdKey('s:7');  // '7'
 * parseIdKey('x:7');  // undefined
 * ```
 */
export function parseIdKey(key: string): PointId | undefined {
  if (key.startsWith(STRING_PREFIX)) {
    const id = key.slice(STRING_PREFIX.length);
    return id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
  }
  if (key.startsWith(NUMBER_PREFIX)) {
    const text = key.slice(NUMBER_PREFIX.length);
    // Only the exact rendering `idKey` produces: no '+', no leading zeros, no exponent.
    if (!/^-?(?:0|[1-9][0-9]*)$/.test(text) || text === '-0') return undefined;
    const id = Number(text);
    return Number.isSafeInteger(id) ? id : undefined;
  }
  return undefined;
}

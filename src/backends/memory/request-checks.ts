/**
 * Checks of the input of one memory-backend call: collection names and specs, and scan cursors.
 * (Abort signals are checked by `../abort.ts`, shared by every adapter.)
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { parseIdKey } from '../../core/ids.js';

/** The longest collection name accepted. */
export const MAX_COLLECTION_NAME_LENGTH = 255;

// Versioned, so that a future cursor format can tell old cursors apart.
const CURSOR_PREFIX = 'm1.';

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

/**
 * Turns the last key of a page into an opaque cursor.
 *
 * @param key - An `idKey`.
 * @returns The cursor.
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor('s:a')); // 's:a'
 * ```
 */
export function encodeCursor(key: string): string {
  return CURSOR_PREFIX + Buffer.from(key, 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by {@link encodeCursor} back into the key to resume after.
 *
 * @param cursor - The caller's cursor.
 * @returns The key.
 * @throws {@link InvalidArgumentError} when it is not a cursor this backend issued.
 *
 * @example
 * ```ts
 * decodeCursor('nonsense'); // throws: `page.cursor` is not a cursor issued by a memory backend
 * ```
 */
export function decodeCursor(cursor: unknown): string {
  if (typeof cursor === 'string' && cursor.startsWith(CURSOR_PREFIX)) {
    const key = Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8');
    // base64url decoding is lenient; only a cursor that round-trips was issued here.
    if (parseIdKey(key) !== undefined && encodeCursor(key) === cursor) return key;
  }
  throw new InvalidArgumentError(
    `\`page.cursor\` is not a cursor issued by a memory backend, received ${describeValue(cursor)}`,
  );
}

/**
 * Checks of the input of one memory-backend call: collection names and specs, and scan cursors.
 * (Abort signals are checked by `../abort.ts`, shared by every adapter.)
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
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

/**
 * The memory backend's scan cursors: `m1.` and the last key of the page.
 *
 * @example
 * ```ts
 * MEMORY_CURSORS.decode('nonsense'); // throws: `page.cursor` is not a cursor issued by a memory backend
 * ```
 */
export const MEMORY_CURSORS = new ScanCursorCodec('m1.', 'page.cursor', 'a memory backend');

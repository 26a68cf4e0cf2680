/**
 * The names the mesh accepts for a logical collection: identifiers, so that every backend
 * accepts them unquoted.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';

const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Checks a logical collection name.
 *
 * @throws {@link InvalidArgumentError} naming the pattern and what was received.
 * @example
 * ```ts
 * validateCollectionName('docs'); // ok
 * validateCollectionName('my-docs'); // throws InvalidArgumentError
 * ```
 */
export function validateCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new InvalidArgumentError(
      `collection name must match ${String(COLLECTION_NAME)}, received ${describeValue(name)}`,
    );
  }
}

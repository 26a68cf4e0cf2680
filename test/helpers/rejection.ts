/**
 * The error a promise rejects with, asserted to be a `VecmeshError` (and failing the test when
 * the promise resolves instead).
 */
import { expect } from 'vitest';
import { VecmeshError } from '../../src/core/errors.js';

/**
 * Awaits `promise` and returns what it rejected with.
 *
 * @example
 * ```ts
 * const err = await rejection(backend.count('nope'));
 * expect(err.code).toBe('VECMESH_ERR_COLLECTION_NOT_FOUND');
 * ```
 */
export async function rejection(promise: Promise<unknown>): Promise<VecmeshError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(VecmeshError);
    return err as VecmeshError;
  }
  throw new Error('expected a rejection');
}

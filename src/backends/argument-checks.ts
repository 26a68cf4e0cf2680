/**
 * Checks of a call's list and count arguments that adapters used on their own (without the
 * mesh's validation in front) make before any work, so that bad input is an
 * `InvalidArgumentError` naming the argument rather than a crash. The reference node's server
 * and store make the same checks with these.
 *
 * @module
 */
import { InvalidArgumentError, describeValue, type ErrorMeta } from '../core/errors.js';

/**
 * Checks that an argument is an array.
 *
 * @param value - The argument.
 * @param path - Its name in messages, e.g. `request.vectors`.
 * @param meta - The call's meta, when the error should carry it at once.
 * @returns `value`.
 * @throws {@link InvalidArgumentError} when it is not an array.
 *
 * @example
 * ```ts
 * checkArray(ids, 'ids', meta);
 * ```
 */
export function checkArray<T>(value: readonly T[], path: string, meta?: ErrorMeta): readonly T[] {
  const raw: unknown = value;
  if (!Array.isArray(raw)) {
    throw new InvalidArgumentError(
      `\`${path}\` must be an array, received ${describeValue(value)}`,
      { meta },
    );
  }
  return value;
}

/**
 * Checks that an argument is an array within a per-request limit.
 *
 * @param value - The argument.
 * @param path - Its name in messages.
 * @param max - Most items one request takes.
 * @param endpoint - The backend, for the message.
 * @returns `value`.
 * @throws {@link InvalidArgumentError} when it is not an array or has more than `max` items.
 *
 * @example
 * ```ts
 * checkList(points, 'points', capabilities.maxPointsPerRequest, 'memory://a');
 * ```
 */
export function checkList<T>(
  value: readonly T[],
  path: string,
  max: number,
  endpoint: string,
): readonly T[] {
  checkArray(value, path);
  if (value.length > max) {
    throw new InvalidArgumentError(
      `\`${path}\` has ${value.length} items, ${endpoint} takes at most ${max} per request`,
    );
  }
  return value;
}

/**
 * Checks that an integer argument lies in a range.
 *
 * @param value - The argument.
 * @param path - Its name in messages, e.g. `spec.index.m`.
 * @param min - The smallest value accepted.
 * @param max - The largest value accepted; without one, any larger safe integer is.
 * @returns `value`.
 * @throws {@link InvalidArgumentError} when it is not a safe integer from `min` to `max`.
 *
 * @example
 * ```ts
 * checkInteger(16, 'spec.index.m', 2, 256); // 16
 * checkInteger(0, 'request.ef', 1);          // throws: `request.ef` must be an integer of at least 1, ...
 * ```
 */
export function checkInteger(
  value: unknown,
  path: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(
      `\`${path}\` must be an integer ${range}, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks that a count argument (`topK`, a page's `limit`) is an integer from 1 to a limit.
 *
 * @param value - The argument.
 * @param path - Its name in messages, e.g. `request.topK`.
 * @param max - The largest value accepted.
 * @returns `value`.
 * @throws {@link InvalidArgumentError} when it is not.
 *
 * @example
 * ```ts
 * checkCount(request.topK, 'request.topK', capabilities.maxTopK);
 * ```
 */
export function checkCount(value: number, path: string, max: number): number {
  return checkInteger(value, path, 1, max);
}

/**
 * Checks that a collection name is a non-empty string (the server checks the rest).
 *
 * @param name - The argument.
 * @param meta - The call's meta.
 * @returns `name`.
 * @throws {@link InvalidArgumentError} when it is not a non-empty string.
 *
 * @example
 * ```ts
 * checkName('docs', meta); // 'docs'
 * ```
 */
export function checkName(name: string, meta: ErrorMeta): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(
      `\`name\` must be a non-empty string, received ${describeValue(name)}`,
      { meta },
    );
  }
  return name;
}

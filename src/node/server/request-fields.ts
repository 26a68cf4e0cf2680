/**
 * Small validators of request bodies and query strings. Each names the field in backticks and
 * says what it received, and throws `InvalidArgumentError` (answered with 400). Integer fields
 * are checked by `checkInteger` of `backends/argument-checks.ts`, shared with the adapters.
 *
 * @module
 */
import { checkArray, checkInteger } from '../../backends/argument-checks.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { isPlainObject } from '../../core/payload.js';

/**
 * Checks that a body is a JSON object holding only known keys.
 *
 * @param body - The parsed body (`undefined` when the request had none).
 * @param keys - The keys the route understands.
 * @returns The body as a record.
 * @throws {@link InvalidArgumentError} when it is not an object or holds an unknown key (a typo
 *   such as `topk` is an error, not a silent default).
 *
 * @example
 * ```ts
 * const body = bodyObject(request.body, ['ids', 'includeVector']);
 * ```
 */
export function bodyObject(body: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(body)) {
    throw new InvalidArgumentError(
      `the request body must be a JSON object, received ${describeValue(body)}`,
    );
  }
  for (const key of Object.keys(body)) {
    if (!keys.includes(key)) {
      throw new InvalidArgumentError(
        `unknown field \`${key}\` in the request body; expected ${keys.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }
  return body;
}

/**
 * Reads an optional boolean field.
 *
 * @param value - The field's value.
 * @param name - The field's name.
 * @param fallback - Returned when the value is absent.
 * @default fallback false
 * @returns The boolean.
 * @throws {@link InvalidArgumentError} when the value is present but not a boolean.
 *
 * @example
 * ```ts
 * optionalBoolean(body.includeVector, 'includeVector'); // false when absent
 * ```
 */
export function optionalBoolean(value: unknown, name: string, fallback = false): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(
      `\`${name}\` must be a boolean, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Reads an array field of bounded length.
 *
 * @param value - The field's value.
 * @param name - The field's name.
 * @param max - Most items accepted.
 * @param min - Fewest items accepted.
 * @default min 0
 * @returns The array.
 * @throws {@link InvalidArgumentError} when it is not an array or its length is out of bounds.
 *
 * @example
 * ```ts
 * const ids = arrayOf(body.ids, 'ids', 10_000);
 * ```
 */
export function arrayOf(value: unknown, name: string, max: number, min = 0): readonly unknown[] {
  const list = checkArray(value as readonly unknown[], name);
  if (list.length < min || list.length > max) {
    throw new InvalidArgumentError(
      `\`${name}\` must hold ${min} to ${max} items per request, received ${list.length}`,
    );
  }
  return list;
}

/**
 * Parses an integer from a query-string parameter.
 *
 * @param value - The raw parameter (a string, or `undefined` when absent).
 * @param name - The parameter's name.
 * @param fallback - Returned when the parameter is absent.
 * @param min - Smallest accepted value.
 * @param max - Largest accepted value.
 * @returns The integer.
 * @throws {@link InvalidArgumentError} when it is not a decimal integer in `[min, max]`.
 *
 * @example
 * ```ts
 * queryInteger('100', 'limit', 1000, 1, 10_000); // 100
 * ```
 */
export function queryInteger(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,16}$/.test(value)) {
    throw new InvalidArgumentError(
      `query parameter \`${name}\` must be an integer from ${min} to ${max}, received ${describeValue(value)}`,
    );
  }
  return checkInteger(Number(value), name, min, max);
}

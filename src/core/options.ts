/**
 * Small validators shared by every `resolveXxxOptions()`: each names the option in backticks
 * and says what it received.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from './errors.js';

/**
 * Checks that an option is a plain object.
 *
 * @throws {@link InvalidOptionError} when `value` is not an object.
 */
export function optionObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`\`${name}\` must be an object, received ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The first own enumerable key of `value` that is not in `keys`, without allocating (cheap
 * enough to run on every point of a batch).
 *
 * @param value - The object whose keys are checked.
 * @param keys - The keys it may have.
 * @returns The first unknown key, or `undefined` when every key is known.
 *
 * @example
 * ```ts
 * firstUnknownKey({ id: 1, paylaod: {} }, ['id', 'vector', 'payload']); // 'paylaod'
 * ```
 */
export function firstUnknownKey(
  value: Record<string, unknown>,
  keys: readonly string[],
): string | undefined {
  for (const key in value) {
    if (Object.hasOwn(value, key) && !keys.includes(key)) return key;
  }
  return undefined;
}

/**
 * Rejects keys an options object does not know, so that a typo is an error, not a silent default.
 *
 * @throws {@link InvalidOptionError} naming the first unknown key.
 */
export function rejectUnknownKeys(
  value: Record<string, unknown>,
  name: string,
  keys: readonly string[],
): void {
  const key = firstUnknownKey(value, keys);
  if (key !== undefined) {
    const where = name === '' ? key : `${name}.${key}`;
    throw new InvalidOptionError(`unknown option \`${where}\`; expected one of ${keys.join(', ')}`);
  }
}

/**
 * Validates an optional integer option.
 *
 * @param value - What the caller passed.
 * @param name - The option's path, e.g. `batch.maxPoints`.
 * @param fallback - Returned when `value` is undefined.
 * @param min - Smallest accepted value.
 * @param max - Largest accepted value.
 * @throws {@link InvalidOptionError} when `value` is not an integer in `[min, max]`.
 */
export function optionInteger(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(
      `\`${name}\` must be an integer in [${min}, ${max}], received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Validates an optional choice among fixed words.
 *
 * @throws {@link InvalidOptionError} when `value` is not one of `choices`.
 */
export function optionChoice<T extends string>(
  value: unknown,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidOptionError(
      `\`${name}\` must be one of ${choices.map((c) => `'${c}'`).join(', ')}, received ${describeValue(value)}`,
    );
  }
  return value as T;
}

/**
 * Validates an optional string option that must not be empty.
 *
 * @param value - What the caller passed.
 * @param name - The option's path, e.g. `apiKey`.
 * @returns `value`, or `undefined` when it is undefined.
 * @throws {@link InvalidOptionError} when `value` is not a non-empty string.
 *
 * @example
 * ```ts
 * optionString(undefined, 'token'); // undefined
 * optionString('', 'token');        // throws: `token` must be a non-empty string
 * ```
 */
export function optionString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(
      `\`${name}\` must be a non-empty string, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * An optional `AbortSignal` option.
 *
 * @param value - What the caller gave.
 * @param name - The option's name in messages, e.g. `options.signal`.
 * @returns The signal, or `undefined` when none was given.
 * @throws {@link InvalidOptionError} when `value` is given and is not an `AbortSignal`.
 * @example
 * ```ts
 * optionSignal(AbortSignal.timeout(1000), 'signal'); // the signal
 * ```
 */
export function optionSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new InvalidOptionError(
      `\`${name}\` must be an AbortSignal, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Small validators for topology and sharding input. They mirror `core/options.ts` but throw
 * {@link InvalidTopologyError}, so a caller can tell a bad topology from other bad options (it is
 * still an `InvalidOptionError` for callers that do not care).
 *
 * @module
 */
import { InvalidTopologyError, describeValue } from '../core/errors.js';

/** Names of clusters, shards and replicas: short, and safe in ids, metrics labels and URLs. */
export const TOPOLOGY_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks that `value` is a plain object (not null, not an array).
 *
 * @throws {@link InvalidTopologyError} naming `path` and what was received.
 */
export function topologyObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTopologyError(
      `\`${path}\` must be an object, received ${describeValue(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Checks that `value` is an array with at least one element.
 *
 * @throws {@link InvalidTopologyError} naming `path` and what was received.
 */
export function nonEmptyArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidTopologyError(
      `\`${path}\` must be a non-empty array, received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Rejects keys an input object does not know, so that a typo is an error rather than a silently
 * ignored option.
 *
 * @throws {@link InvalidTopologyError} naming the first unknown key.
 */
export function rejectUnknownTopologyKeys(
  value: Record<string, unknown>,
  path: string,
  keys: readonly string[],
  context = '',
): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw new InvalidTopologyError(
        `unknown option \`${path}.${key}\`${context}; expected one of ${keys.join(', ')}`,
      );
    }
  }
}

/**
 * Validates an optional cluster, shard or replica name against {@link TOPOLOGY_NAME_PATTERN}.
 *
 * @param value - What the caller passed.
 * @param path - The option's path, e.g. `clusters[0].name`.
 * @param fallback - Used when `value` is undefined; `undefined` makes the name required.
 * @throws {@link InvalidTopologyError} when the name is missing or malformed.
 */
export function topologyName(value: unknown, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !TOPOLOGY_NAME_PATTERN.test(value)) {
    throw new InvalidTopologyError(
      `\`${path}\` must be a string of 1 to 64 characters from [A-Za-z0-9_.-], received ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Validates an optional finite number, with an optional exclusive lower bound.
 *
 * @throws {@link InvalidTopologyError} when `value` is not a finite number (above `above`).
 */
export function finiteNumber(
  value: unknown,
  path: string,
  fallback: number,
  above?: number,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (above !== undefined && value <= above)
  ) {
    const bound = above === undefined ? '' : ` > ${above}`;
    throw new InvalidTopologyError(
      `\`${path}\` must be a finite number${bound}, received ${describeValue(value)}`,
    );
  }
  return value;
}

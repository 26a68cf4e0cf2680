/**
 * The `capabilities` option of the networked adapters: the caller's limits merged over the
 * adapter's defaults, each within what the server accepts.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';
import { optionInteger } from '../core/options.js';
import { isPlainObject } from '../core/payload.js';
import type { BackendCapabilities } from './backend.js';

/** The largest value a caller may announce for each capability. */
export type CapabilityBounds = Readonly<Record<keyof BackendCapabilities, number>>;

/**
 * Validates a `capabilities` option and merges it over the defaults.
 *
 * @param value - What the caller passed as `capabilities`.
 * @param defaults - The adapter's limits; returned as they are when `value` is undefined.
 * @param bounds - The largest value accepted for each capability.
 * @returns Frozen capabilities.
 * @throws {@link InvalidOptionError} when `value` is not a plain object, names an unknown
 *   capability, or a capability is not an integer from 1 to its bound.
 *
 * @example
 * ```ts
 * resolveCapabilityOption({ maxTopK: 100 }, DEFAULT_QDRANT_CAPABILITIES, bounds).maxTopK; // 100
 * ```
 */
export function resolveCapabilityOption(
  value: unknown,
  defaults: BackendCapabilities,
  bounds: CapabilityBounds,
): BackendCapabilities {
  if (value === undefined) return defaults;
  if (!isPlainObject(value)) {
    throw new InvalidOptionError(
      `\`capabilities\` must be a plain object, received ${describeValue(value)}`,
    );
  }
  const out: Record<string, number> = { ...defaults };
  const maxima: Readonly<Record<string, number | undefined>> = bounds;
  for (const key of Object.keys(value)) {
    // Own keys only: `toString` and friends are not capabilities.
    const max = Object.hasOwn(maxima, key) ? maxima[key] : undefined;
    if (max === undefined) {
      throw new InvalidOptionError(
        `unknown option \`capabilities.${key}\`; expected one of ${Object.keys(out).join(', ')}`,
      );
    }
    out[key] = optionInteger(value[key], `capabilities.${key}`, out[key] as number, 1, max);
  }
  return Object.freeze(out as unknown as BackendCapabilities);
}

/**
 * The check every per-call options object goes through before an operation starts: an object
 * (or `undefined`, for the defaults), no key the call does not know, and a `signal` that is an
 * `AbortSignal`. Cheap enough for the hot path: one pass over a few keys, no allocation.
 *
 * @module
 */
import { optionObject, optionSignal, rejectUnknownKeys } from '../core/options.js';
import type { OperationOptions } from './context.js';

/** The keys of {@link OperationOptions}, which every operation accepts. */
export const OPERATION_OPTION_KEYS = [
  'signal',
  'timeoutMs',
] as const satisfies readonly (keyof OperationOptions)[];

/**
 * Checks the options of one call, so that a typo, `null`, a string or a signal that is not an
 * `AbortSignal` is refused with an error naming it rather than ignored or failing later with a
 * `TypeError`. The values of the other options are checked by the call itself.
 *
 * @param options - What the caller passed; `undefined` means the defaults.
 * @param keys - Every option the call accepts.
 * @throws `InvalidOptionError` when `options` is not an object, has a key not in `keys`,
 *   or has a `signal` that is not an `AbortSignal`.
 *
 * @example
 * ```ts
 * checkCallOptions({ timeoutMs: 50 }, OPERATION_OPTION_KEYS); // ok
 * checkCallOptions('fast', OPERATION_OPTION_KEYS); // throws: `options` must be an object, ...
 * checkCallOptions({ tenat: 'a' }, ['signal', 'timeoutMs', 'tenant']);
 * // throws: unknown option `tenat`; expected one of signal, timeoutMs, tenant
 * ```
 */
export function checkCallOptions(options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  const raw = optionObject(options, 'options');
  rejectUnknownKeys(raw, '', keys);
  optionSignal(raw.signal, 'signal');
}

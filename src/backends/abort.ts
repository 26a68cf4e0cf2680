/**
 * What an aborted `AbortSignal` means for one backend call. Every adapter (and wrappers such as
 * `FaultyBackend`) reports aborts the same way, so the mesh and `classify()` see one shape:
 *
 * - a reason that is already a `VecmeshError` (the mesh's deadline aborts with a `TimeoutError`,
 *   or with an `AbortedError` when its caller gives up) is kept, with the call's meta added;
 * - a `DOMException` named `TimeoutError` (from `AbortSignal.timeout()`) becomes `TimeoutError`;
 * - anything else (`controller.abort()`, `controller.abort('user left')`) becomes `AbortedError`
 *   with the reason as its `cause`.
 *
 * @module
 */
import { AbortedError, TimeoutError, VecmeshError, type ErrorMeta } from '../core/errors.js';

/**
 * The error to reject a call with once its signal has aborted.
 *
 * @param signal - The call's signal; expected to be aborted.
 * @param endpoint - The backend's endpoint, for the message.
 * @param meta - Where the call happened; added to the error (the reason's own meta wins).
 * @returns The reason itself when it is a `VecmeshError`, else a new {@link TimeoutError} or
 *   {@link AbortedError}.
 *
 * @example
 * ```ts
 * abortError(AbortSignal.abort('bye'), 'memory://a', { operation: 'get' });
 * // AbortedError: `get` on memory://a was aborted  (cause: 'bye')
 * ```
 */
export function abortError(signal: AbortSignal, endpoint: string, meta: ErrorMeta): VecmeshError {
  const reason: unknown = signal.reason;
  // Whoever aborted with a vecmesh error chose its meaning deliberately; keep it.
  if (reason instanceof VecmeshError) return reason.withMeta(meta);
  const what = `\`${meta.operation ?? 'call'}\` on ${endpoint}`;
  if (isDomTimeout(reason)) {
    return new TimeoutError(`${what} timed out`, { cause: reason, meta });
  }
  return new AbortedError(`${what} was aborted`, { cause: reason, meta });
}

/**
 * Throws when a call's signal is already aborted, with the error {@link abortError} describes.
 *
 * @param signal - The call's signal, if any.
 * @param endpoint - The backend's endpoint, for the message.
 * @param meta - Where the call happened.
 * @throws {@link AbortedError} or {@link TimeoutError} (or the reason itself, when it is a
 *   `VecmeshError`) when the signal is aborted.
 *
 * @example
 * ```ts
 * throwIfAborted(AbortSignal.abort(), 'memory://a', { operation: 'search' }); // throws AbortedError
 * throwIfAborted(undefined, 'memory://a', { operation: 'search' });           // returns
 * ```
 */
export function throwIfAborted(
  signal: AbortSignal | undefined,
  endpoint: string,
  meta: ErrorMeta,
): void {
  if (signal?.aborted === true) throw abortError(signal, endpoint, meta);
}

function isDomTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

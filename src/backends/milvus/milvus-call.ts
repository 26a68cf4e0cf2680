/**
 * Waiting for one SDK call under the caller's `AbortSignal`. The SDK cannot cancel a call in
 * flight, so an abort stops the wait instead: the call's promise keeps a handler, so its late
 * answer or failure is dropped without an unhandled rejection.
 *
 * @module
 */
import type { ErrorMeta } from '../../core/errors.js';
import { abortError, throwIfAborted } from '../abort.js';
import { sdkError } from './milvus-errors.js';

/**
 * Starts an SDK call and waits for it, or for the signal, whichever comes first.
 *
 * @param start - Starts the call (run only when the signal has not aborted yet).
 * @param signal - The caller's signal, if any.
 * @param meta - Backend, operation and collection, for errors.
 * @returns The call's answer.
 * @throws `AbortedError` / `TimeoutError` per `../abort.ts` when the signal aborts first; what
 *   `sdkError` makes of a failure of the call.
 *
 * @example
 * ```ts
 * const answer = await callMilvus(() => client.showCollections(), signal, meta);
 * ```
 */
export async function callMilvus<T>(
  start: () => Promise<T>,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): Promise<T> {
  const endpoint = meta.backend ?? 'milvus';
  throwIfAborted(signal, endpoint, meta);
  let call: Promise<T>;
  try {
    call = start();
  } catch (err) {
    // The SDK validates some requests synchronously.
    throw sdkError(err, meta);
  }
  const settled = call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (signal === undefined) return unwrap(await settled, meta);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => {
      resolve('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([settled, aborted]);
    if (first === 'aborted') throw abortError(signal, endpoint, meta);
    return unwrap(first, meta);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function unwrap<T>(
  outcome: { ok: true; value: T } | { ok: false; error: unknown },
  meta: ErrorMeta,
): T {
  if (outcome.ok) return outcome.value;
  throw sdkError(outcome.error, meta);
}

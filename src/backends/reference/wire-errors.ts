/**
 * Turns what went wrong on one HTTP call to a reference node into the vecmesh error tree: an
 * error answer (HTTP status plus `{ error: { code, message } }`), or a transport failure
 * (refused, reset, timed out, aborted).
 *
 * @module
 */
import {
  BackendError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  InvalidBatchError,
  InvalidFilterError,
  InvalidOptionError,
  InvalidVectorError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  type ErrorMeta,
  type VecmeshError,
  type VecmeshErrorOptions,
} from '../../core/errors.js';
import { toVecmeshError } from '../../core/native-errors.js';
import { isPlainObject } from '../../core/payload.js';
import { abortError } from '../abort.js';

type Make = (message: string, options: VecmeshErrorOptions) => VecmeshError;

/** The node's wire codes and the class each becomes on this side. */
const BY_CODE: ReadonlyMap<string, Make> = new Map<string, Make>([
  ['VECMESH_ERR_INVALID_ARGUMENT', (m, o) => new InvalidArgumentError(m, o)],
  ['VECMESH_ERR_INVALID_OPTION', (m, o) => new InvalidOptionError(m, o)],
  ['VECMESH_ERR_INVALID_VECTOR', (m, o) => new InvalidVectorError(m, o)],
  ['VECMESH_ERR_INVALID_FILTER', (m, o) => new InvalidFilterError(m, o)],
  ['VECMESH_ERR_INVALID_BATCH', (m, o) => new InvalidBatchError(m, [], o)],
  ['VECMESH_ERR_COLLECTION_NOT_FOUND', (m, o) => new CollectionNotFoundError(m, o)],
  ['VECMESH_ERR_COLLECTION_CONFLICT', (m, o) => new CollectionConflictError(m, o)],
  ['VECMESH_ERR_UNAVAILABLE', (m, o) => new UnavailableError(m, o)],
  // The node's store is closed: the node is stopping, which for a client is unavailability.
  ['VECMESH_ERR_CLOSED', (m, o) => new UnavailableError(m, o)],
  ['VECMESH_ERR_TIMEOUT', (m, o) => new TimeoutError(m, o)],
  ['VECMESH_ERR_RATE_LIMITED', (m, o) => new RateLimitedError(m, o)],
]);

/** The longest stretch of a non-JSON error body quoted in a message. */
const MAX_QUOTED = 300;

/**
 * The error for an error answer of the node.
 *
 * The body's `code` decides the class when the node sent one this side knows (so a wrong
 * dimension is an `InvalidVectorError`, a missing collection a `CollectionNotFoundError`);
 * otherwise the HTTP status does, as `toVecmeshError` reads statuses (401 and unknown routes
 * become a non-retryable `BackendError`, 5xx a retryable error, 413 an `InvalidArgumentError`).
 *
 * @param status - The HTTP status, 400 or more.
 * @param text - The answer's body as text.
 * @param meta - Backend, operation and collection of the call.
 * @returns The error, with `meta`.
 *
 * @example
 * ```ts
 * errorFromAnswer(404, '{"error":{"code":"VECMESH_ERR_COLLECTION_NOT_FOUND","message":"..."}}', meta);
 * // CollectionNotFoundError
 * ```
 */
export function errorFromAnswer(status: number, text: string, meta: ErrorMeta): VecmeshError {
  const { code, message } = readErrorBody(status, text);
  const where = `${meta.backend ?? 'node'} \`${meta.operation ?? 'call'}\``;
  const full = `${where}: ${message}`;
  const make = code === undefined ? undefined : BY_CODE.get(code);
  if (make !== undefined) return make(full, { meta });
  if (code === 'VECMESH_ERR_BACKEND' || code === undefined || status !== 404) {
    return toVecmeshError({ status, message, code }, where).withMeta(meta);
  }
  // A 404 with a code this side does not know (an unknown route): a version mismatch, final.
  return new BackendError(full, { meta, retryable: false });
}

function readErrorBody(status: number, text: string): { code?: string; message: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed) && isPlainObject(parsed.error)) {
      const { code, message } = parsed.error;
      return {
        ...(typeof code === 'string' ? { code } : {}),
        message: typeof message === 'string' ? message : `HTTP ${status}`,
      };
    }
  } catch {
    // Not JSON: quote the start of it below.
  }
  const quoted = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
  return { message: quoted === '' ? `HTTP ${status}` : `HTTP ${status}: ${quoted}` };
}

/**
 * The error for a call that failed without an answer: the caller's abort (as `AbortedError` or
 * `TimeoutError`, per `../abort.ts`), or a transport failure classified by `toVecmeshError`
 * (refused or reset connections become a retryable `UnavailableError`, undici timeouts a
 * `TimeoutError`).
 *
 * @param error - What undici threw.
 * @param signal - The call's signal, if any.
 * @param meta - Backend, operation and collection of the call.
 * @returns The error, with `meta`.
 *
 * @example
 * ```ts
 * transportError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), undefined, meta);
 * // UnavailableError, retryable
 * ```
 */
export function transportError(
  error: unknown,
  signal: AbortSignal | undefined,
  meta: ErrorMeta,
): VecmeshError {
  const endpoint = meta.backend ?? 'node';
  if (signal?.aborted === true) return abortError(signal, endpoint, meta);
  return toVecmeshError(error, `${endpoint} \`${meta.operation ?? 'call'}\``).withMeta(meta);
}

/**
 * Turns what went wrong on one call to Qdrant into the vecmesh error tree.
 *
 * Qdrant answers errors with an HTTP status and a body `{ status: { error: "..." }, time }`;
 * `@qdrant/js-client-rest` throws them as an `ApiError` carrying `status` and the parsed body as
 * `data`, except a 429 with a `Retry-After` header, which it turns into a
 * `QdrantClientResourceExhaustedError` (no status, `retry_after` in seconds). Transport failures
 * reach us as fetch's `TypeError('fetch failed', { cause })`, with the system or undici error
 * (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...) as the cause.
 *
 * Messages are written for the person reading them: `cannot reach Qdrant at URL: connection
 * refused`, `collection \`docs\` does not exist on Qdrant at URL`; what the client threw stays
 * the `cause`.
 *
 * @module
 */
import {
  BackendError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  messageOf,
  type ErrorMeta,
  type VecmeshError,
} from '../../core/errors.js';
import { toVecmeshError } from '../../core/native-errors.js';
import { isPlainObject } from '../../core/payload.js';
import { connectionFailure } from '../unreachable.js';

/** The longest stretch of a non-JSON error body quoted in a message. */
const MAX_QUOTED = 300;

// Qdrant's text for a missing collection (`Not found: Collection \`docs\` doesn't exist!`).
const MISSING_COLLECTION = /Collection `[^`]*` (doesn't|does not) exist/i;

/**
 * The error for an error answer of Qdrant.
 *
 * - 404 with Qdrant's error body: `CollectionNotFoundError` (Qdrant answers 404 for a missing
 *   collection; a missing point is never an error), saying `collection \`docs\` does not exist
 *   on Qdrant at URL` when Qdrant's text says so. A 404 without that body is an unknown route,
 *   e.g. a server older than the API the adapter uses: a final `BackendError`.
 * - 409: `CollectionConflictError` (the collection exists).
 * - 429: retryable `RateLimitedError`.
 * - 408: retryable `TimeoutError`.
 * - 5xx: retryable `UnavailableError`.
 * - 400, 413, 422: `InvalidArgumentError` (a wrong dimension, a malformed request).
 * - 401, 403: a final `BackendError` saying the API key was refused.
 * - anything else: a final `BackendError`.
 *
 * @param status - The HTTP status.
 * @param body - The parsed body (or its text, when it was not JSON).
 * @param meta - Backend, operation and collection of the call.
 * @param cause - What the client threw.
 * @returns The error, with `meta` and `cause`.
 *
 * @example
 * ```ts
 * errorFromStatus(404, { status: { error: 'Not found: Collection `docs` doesn\'t exist!' } }, meta);
 * // CollectionNotFoundError
 * ```
 */
export function errorFromStatus(
  status: number,
  body: unknown,
  meta: ErrorMeta,
  cause?: unknown,
): VecmeshError {
  const detail = qdrantMessage(body);
  const text = `${where(meta)}: HTTP ${status}${detail === undefined ? '' : `: ${detail}`}`;
  const options = { meta, cause };
  if (status === 404) {
    if (detail === undefined || !isPlainObject(body)) {
      return new BackendError(`${text} (no such route: is the server Qdrant 1.10 or later?)`, {
        ...options,
        retryable: false,
      });
    }
    // The name the caller passed, rather than Qdrant's text (kept in the cause).
    return meta.collection !== undefined && MISSING_COLLECTION.test(detail)
      ? new CollectionNotFoundError(
          `collection \`${meta.collection}\` does not exist on Qdrant at ${meta.backend ?? 'qdrant'}`,
          options,
        )
      : new CollectionNotFoundError(text, options);
  }
  if (status === 409) return new CollectionConflictError(text, options);
  if (status === 429) return new RateLimitedError(text, options);
  if (status === 408) return new TimeoutError(text, options);
  if (status >= 500) return new UnavailableError(text, options);
  if (status === 400 || status === 413 || status === 422) {
    return new InvalidArgumentError(text, options);
  }
  if (status === 401 || status === 403) {
    return new BackendError(`${text} (the API key was refused; check \`apiKey\`)`, {
      ...options,
      retryable: false,
    });
  }
  return new BackendError(text, { ...options, retryable: false });
}

/**
 * The error for anything the Qdrant client threw that is not the caller's abort: an error answer
 * (see {@link errorFromStatus}), a 429 with `Retry-After`, an unexpected 2xx, or a transport
 * failure: a connection that failed (refused, reset, closed, a host name that does not resolve,
 * `fetch failed`) is a retryable `UnavailableError: cannot reach Qdrant at URL: <why>`; anything
 * else is classified by `toVecmeshError` (socket timeouts a `TimeoutError`).
 *
 * @param error - What the client threw.
 * @param meta - Backend, operation and collection of the call.
 * @returns The error, with `meta` and the original as `cause`.
 *
 * @example
 * ```ts
 * clientError(new TypeError('fetch failed', { cause: refused }), meta); // UnavailableError
 * ```
 */
export function clientError(error: unknown, meta: ErrorMeta): VecmeshError {
  if (typeof error === 'object' && error !== null) {
    const e = error as { status?: unknown; data?: unknown; name?: unknown; retry_after?: unknown };
    if (typeof e.status === 'number' && Number.isInteger(e.status) && e.status >= 400) {
      return errorFromStatus(e.status, e.data, meta, error);
    }
    if (e.name === 'QdrantClientResourceExhaustedError') {
      const after = typeof e.retry_after === 'number' ? ` (retry after ${e.retry_after} s)` : '';
      return new RateLimitedError(`${where(meta)}: HTTP 429${after}`, { meta, cause: error });
    }
    if (e.name === 'QdrantClientUnexpectedResponseError') {
      return new BackendError(`${where(meta)}: unexpected answer`, {
        meta,
        cause: error,
        retryable: false,
      });
    }
  }
  const reason = connectionFailure(error) ?? fetchFailure(error);
  if (reason !== undefined) {
    return new UnavailableError(`cannot reach Qdrant at ${meta.backend ?? 'qdrant'}: ${reason}`, {
      meta,
      cause: error,
    });
  }
  return toVecmeshError(error, where(meta)).withMeta(meta);
}

/** What fetch's `TypeError('fetch failed', { cause })` says, when no known code does. */
function fetchFailure(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  return error.cause === undefined ? 'fetch failed' : messageOf(error.cause);
}

/**
 * The text of Qdrant's error body `{ status: { error } }`, or the start of a body that is not
 * that shape.
 *
 * @param body - The parsed body, or its text.
 * @returns The message, or `undefined` for an empty body.
 *
 * @example
 * ```ts
 * qdrantMessage({ status: { error: 'Wrong input: Vector dimension error: expected dim: 2, got 3' } });
 * // 'Wrong input: Vector dimension error: expected dim: 2, got 3'
 * ```
 */
export function qdrantMessage(body: unknown): string | undefined {
  if (isPlainObject(body) && isPlainObject(body.status) && typeof body.status.error === 'string') {
    return body.status.error;
  }
  if (typeof body === 'string' && body !== '') {
    return body.length > MAX_QUOTED ? `${body.slice(0, MAX_QUOTED)}...` : body;
  }
  return undefined;
}

function where(meta: ErrorMeta): string {
  return `${meta.backend ?? 'qdrant'} \`${meta.operation ?? 'call'}\``;
}

/**
 * The error for an answer of a shape the adapter does not expect (another server behind the
 * URL, or a Qdrant version that answers differently).
 *
 * @param meta - Backend, operation and collection of the call.
 * @param why - What was wrong with it.
 * @returns A `BackendError` that is not retryable.
 *
 * @example
 * ```ts
 * unexpectedAnswer(meta, 'no `count`');
 * // BackendError: http://127.0.0.1:6333 `count`: unexpected answer (no `count`)
 * ```
 */
export function unexpectedAnswer(meta: ErrorMeta, why: string): BackendError {
  return new BackendError(`${where(meta)}: unexpected answer (${why})`, {
    meta,
    retryable: false,
  });
}

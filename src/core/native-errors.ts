/**
 * Reads what an error says of itself, whatever threw it, and turns it into the vecmesh error
 * tree. Adapters use {@link toVecmeshError} to report a failure they have no better word for;
 * whether it is worth a retry, or counts against a replica, is the mesh's business
 * (`classify()` in `src/resilience/classify.ts`, which builds on {@link readError}).
 *
 * It understands, in this order of precedence:
 * 1. every `VecmeshError` (by `code`, then by class; `retryable` is the error's own flag);
 * 2. Node system and undici errors by string `code` (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...);
 * 3. HTTP errors: a numeric `status` or `statusCode` (or `response.status`) from 100 to 599;
 * 4. gRPC errors as `@grpc/grpc-js` throws them: a numeric `code` with `details` or `metadata`;
 * 5. names: `TimeoutError` (and any name ending so, e.g. `QdrantClientTimeoutError`),
 *    `AbortError`, `QdrantClientResourceExhaustedError`;
 * 6. the same checks on `cause` (fetch's `TypeError('fetch failed', { cause })`) and on an
 *    `AggregateError`'s `errors`, a few levels deep; an abort whose cause is known takes the
 *    cause's meaning (an abort caused by a timeout is a timeout).
 *
 * Anything else is not recognised.
 *
 * @module
 */
import { kindOfVecmeshError, type ErrorKind } from './error-kind.js';
import { grpcKind, httpKind, kindOfCode, kindOfName, type KindRule } from './error-signals.js';
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
  messageOf,
} from './errors.js';

/** What an error says of itself, and which (possibly nested) error said it. */
export interface ErrorReading {
  /** What the error means. */
  readonly kind: ErrorKind;
  /** Whether the same request may succeed if tried again. */
  readonly retryable: boolean;
  /** The error that decided: the one read, or one nested in its `cause` or `errors`. */
  readonly source: unknown;
}

// Deep enough for fetch -> AggregateError -> system error, short enough to stop on cycles.
const MAX_DEPTH = 4;
const MAX_AGGREGATE = 8;

interface ErrorShape {
  readonly code?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly response?: unknown;
  readonly details?: unknown;
  readonly metadata?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * Reads what an error means: its own signals first, then those of its `cause` and `errors`.
 *
 * @param error - Anything thrown or rejected.
 * @returns The reading, or `undefined` when nothing in the error is recognised; never throws.
 *
 * @example
 * ```ts
 * readError(new TypeError('fetch failed', { cause: refused }));
 * // { kind: 'unavailable', retryable: true, source: refused }
 * readError({ status: 429 }); // { kind: 'rate-limited', retryable: true, source: { status: 429 } }
 * readError(new Error('boom')); // undefined
 * ```
 */
export function readError(error: unknown): ErrorReading | undefined {
  return find(error, 0);
}

function reading(rule: KindRule, source: unknown): ErrorReading {
  return { kind: rule.kind, retryable: rule.retryable, source };
}

function find(error: unknown, depth: number): ErrorReading | undefined {
  if (error instanceof VecmeshError) {
    const kind = kindOfVecmeshError(error)?.kind ?? 'unknown';
    return { kind, retryable: error.retryable, source: error };
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const own = ownRule(e);
  if (own !== undefined && own.kind !== 'aborted') return reading(own, e);
  const nested = depth < MAX_DEPTH ? findNested(e, depth + 1) : undefined;
  // An abort whose cause says why (a timeout, say) means what the cause means.
  if (nested !== undefined) return nested;
  if (own !== undefined) return reading(own, e);
  if (isFetchFailure(e)) return reading(FETCH_FAILURE, e);
  return undefined;
}

function findNested(e: ErrorShape, depth: number): ErrorReading | undefined {
  if (e.cause !== undefined) {
    const found = find(e.cause, depth);
    if (found !== undefined) return found;
  }
  if (Array.isArray(e.errors)) {
    const list: readonly unknown[] = e.errors;
    for (let i = 0; i < list.length && i < MAX_AGGREGATE; i++) {
      const found = find(list[i], depth);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function ownRule(e: ErrorShape): KindRule | undefined {
  if (typeof e.code === 'string') {
    const byCode = kindOfCode(e.code);
    if (byCode !== undefined) return byCode;
  }
  const status = httpStatus(e);
  const byStatus = status === undefined ? undefined : httpKind(status);
  if (byStatus !== undefined) return byStatus;
  if (typeof e.code === 'number' && ('details' in e || 'metadata' in e)) {
    const byGrpc = grpcKind(e.code);
    if (byGrpc !== undefined) return byGrpc;
  }
  return typeof e.name === 'string' ? kindOfName(e.name) : undefined;
}

function httpStatus(e: ErrorShape): number | undefined {
  const response = e.response;
  const candidate =
    typeof e.status === 'number'
      ? e.status
      : typeof e.statusCode === 'number'
        ? e.statusCode
        : typeof response === 'object' && response !== null
          ? (response as { status?: unknown }).status
          : undefined;
  return typeof candidate === 'number' &&
    Number.isInteger(candidate) &&
    candidate >= 100 &&
    candidate <= 599
    ? candidate
    : undefined;
}

const FETCH_FAILURE: KindRule = { kind: 'unavailable', retryable: true };

// undici reports a failed request as TypeError('fetch failed') (usually with a cause, handled
// above) and a connection cut mid-body as TypeError('terminated').
function isFetchFailure(e: ErrorShape): boolean {
  return e.name === 'TypeError' && (e.message === 'fetch failed' || e.message === 'terminated');
}

/**
 * Normalises anything thrown into the vecmesh error tree.
 *
 * A `VecmeshError` is returned unchanged. Anything else becomes the class of its kind, as
 * `classify()` reads it (`UnavailableError`, `TimeoutError`, `RateLimitedError`,
 * `AbortedError`, `InvalidArgumentError`, `CollectionNotFoundError`, `CollectionConflictError`,
 * `ClosedError`, `BackendError`; `unknown` becomes a non-retryable `BackendError`), with
 * `retryable` as classified, the original error as `cause`, and the original message (plus the
 * message of the nested error that decided, when it differs, e.g.
 * `fetch failed (connect ECONNREFUSED ...)`).
 *
 * @param error - Anything thrown or rejected.
 * @param context - Prefixed to the message, e.g. the endpoint and operation.
 * @returns A `VecmeshError`; never throws.
 *
 * @example
 * ```ts
 * const err = toVecmeshError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
 *   'http://127.0.0.1:6333 search');
 * err instanceof UnavailableError; // true
 * err.message; // 'http://127.0.0.1:6333 search: read ECONNRESET'
 * ```
 */
export function toVecmeshError(error: unknown, context?: string): VecmeshError {
  if (error instanceof VecmeshError) return error;
  const found = find(error, 0);
  let message = messageOf(error);
  if (found !== undefined && found.source !== error) {
    const inner = messageOf(found.source);
    if (!message.includes(inner)) message = `${message} (${inner})`;
  }
  if (context !== undefined && context !== '') message = `${context}: ${message}`;
  const options = { cause: error, retryable: found?.retryable ?? false };
  switch (found?.kind ?? 'unknown') {
    case 'unavailable':
      return new UnavailableError(message, options);
    case 'timeout':
      return new TimeoutError(message, options);
    case 'rate-limited':
      return new RateLimitedError(message, options);
    case 'aborted':
      return new AbortedError(message, options);
    case 'invalid':
      return new InvalidArgumentError(message, options);
    case 'not-found':
      return new CollectionNotFoundError(message, options);
    case 'conflict':
      return new CollectionConflictError(message, options);
    case 'closed':
      return new ClosedError(message, options);
    case 'backend':
    case 'unknown':
      return new BackendError(message, options);
  }
}

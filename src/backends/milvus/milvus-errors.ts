/**
 * Turns what went wrong on one Milvus call into the vecmesh error tree.
 *
 * The SDK reports failures in three shapes, and every one is handled:
 * - a resolved answer whose `status` (or the answer itself, for calls answering a bare status)
 *   is not a success: {@link checkStatus} runs on every answer;
 * - a rejected gRPC call (`code`, `details`, `metadata`): UNAVAILABLE, DEADLINE_EXCEEDED and
 *   RESOURCE_EXHAUSTED become retryable `UnavailableError`, `TimeoutError`, `RateLimitedError`;
 * - a thrown status object, or an `Error('ErrorCode: X. Reason: ...')` (the SDK's own checks).
 *
 * Messages are written for the person reading them: a server that cannot be reached is
 * `cannot reach Milvus at host:port: connection refused`, a missing collection
 * `collection \`docs\` does not exist on Milvus at host:port`; the SDK's status or gRPC error is
 * kept as the `cause`.
 *
 * @module
 */
import {
  BackendError,
  CollectionNotFoundError,
  InvalidArgumentError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
  type ErrorMeta,
} from '../../core/errors.js';
import { toVecmeshError } from '../../core/native-errors.js';
import { isPlainObject } from '../../core/payload.js';
import { connectionFailure, hostPort } from '../unreachable.js';

/** The status part of a Milvus answer. */
export interface MilvusStatus {
  /** Legacy error code: an enum name such as `Success` or `CollectionNotExists`, or its number. */
  readonly error_code?: string | number;
  /** Error code of Milvus 2.3 and later; 0 is success. */
  readonly code?: number;
  /** What went wrong. */
  readonly reason?: string;
  /** Whether Milvus says trying again may succeed. */
  readonly retriable?: boolean;
}

// Milvus's own error codes (pkg/util/merr): service unavailable, rate limited, quota exceeded.
// Code 1 (service not ready on Milvus, "unexpected error" on Milvus Lite) counts only when the
// status says it is retriable, as Milvus's does.
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([2]);
const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([8, 9]);
const COLLECTION_NOT_FOUND_CODE = 100;
const NOT_FOUND_NAMES: ReadonlySet<string> = new Set([
  'CollectionNotExists',
  'CollectionNameNotFound',
]);
const NOT_FOUND_REASON =
  /collection\b.*\b(not found|not exist|does not exist)|can't find collection/i;
const RATE_LIMIT_NAMES: ReadonlySet<string> = new Set(['RateLimit', 'ForceDeny']);
const INVALID_NAMES: ReadonlySet<string> = new Set(['IllegalArgument', 'IllegalDimension']);

/**
 * Whether a status says success. Both codes must say so: Milvus Lite answers some failures with
 * `error_code: 'Success'` and a non-zero `code`.
 *
 * @param status - A status object.
 * @returns `true` for success.
 *
 * @example
 * ```ts
 * isSuccess({ error_code: 'Success', code: 0 }); // true
 * isSuccess({ error_code: 'Success', code: 1, reason: 'boom' }); // false
 * ```
 */
export function isSuccess(status: MilvusStatus): boolean {
  const legacy = status.error_code;
  const legacyOk = legacy === undefined || legacy === 'Success' || legacy === 0;
  return legacyOk && (status.code ?? 0) === 0;
}

/**
 * The error a failed status means.
 *
 * @param status - A status that is not a success.
 * @param meta - Backend, operation and collection.
 * @returns `CollectionNotFoundError` (code 100 or `CollectionNotExists`) naming `meta.collection`
 *   as {@link collectionNotFound} does, `RateLimitedError`,
 *   a retryable `UnavailableError` (service not ready, or a status marked retriable),
 *   `InvalidArgumentError` (an illegal argument or a parameter error, codes 1100..1199), else a
 *   non-retryable `BackendError`; each naming the backend and quoting the reason.
 *
 * @example
 * ```ts
 * statusError({ error_code: 'CollectionNotExists', code: 100, reason: 'no docs' }, meta);
 * // CollectionNotFoundError
 * ```
 */
export function statusError(status: MilvusStatus, meta: ErrorMeta): VecmeshError {
  const name = typeof status.error_code === 'string' ? status.error_code : undefined;
  const code = status.code ?? 0;
  const reason = status.reason !== undefined && status.reason !== '' ? status.reason : undefined;
  const what = `${meta.backend ?? 'milvus'} \`${meta.operation ?? 'call'}\``;
  const label = `${name ?? String(status.error_code ?? '')}${code !== 0 ? ` (code ${code})` : ''}`;
  const message = `${what}: Milvus answered ${label.trim()}${reason === undefined ? '' : `: ${reason}`}`;
  const options = { meta, cause: status };
  if (
    code === COLLECTION_NOT_FOUND_CODE ||
    (name !== undefined && NOT_FOUND_NAMES.has(name)) ||
    (reason !== undefined && NOT_FOUND_REASON.test(reason))
  ) {
    // The name the caller passed, not Milvus's status text (which stays the cause).
    return meta.collection === undefined
      ? new CollectionNotFoundError(message, options)
      : collectionNotFound(meta.collection, meta, status);
  }
  if (RATE_LIMIT_CODES.has(code) || (name !== undefined && RATE_LIMIT_NAMES.has(name))) {
    return new RateLimitedError(message, options);
  }
  if (status.retriable === true || UNAVAILABLE_CODES.has(code) || name === 'NotReadyServe') {
    return new UnavailableError(message, options);
  }
  if ((code >= 1100 && code < 1200) || (name !== undefined && INVALID_NAMES.has(name))) {
    return new InvalidArgumentError(message, options);
  }
  return new BackendError(message, { ...options, retryable: false });
}

/**
 * Whether a failed `describeIndex` status means "this field has no index" (code 700 on Milvus,
 * `IndexNotExist` on older servers and Milvus Lite).
 *
 * @param status - A failed status.
 * @returns `true` when the index is missing.
 *
 * @example
 * ```ts
 * isIndexMissing({ code: 700, reason: 'index not found' }); // true
 * ```
 */
export function isIndexMissing(status: MilvusStatus): boolean {
  return (
    status.code === 700 ||
    status.error_code === 'IndexNotExist' ||
    /index\b.*\b(not found|not exist)/i.test(status.reason ?? '')
  );
}

/**
 * Throws when an answer's status is not a success.
 *
 * @param answer - The SDK's answer: `{ status, ... }` or a bare status.
 * @param meta - Backend, operation and collection.
 * @throws What {@link statusError} says; a `BackendError` when the answer has no status at all
 *   (the SDK turns an UNIMPLEMENTED call into an empty answer).
 *
 * @example
 * ```ts
 * checkStatus(await client.loadCollection({ collection_name: 'docs' }), meta);
 * ```
 */
export function checkStatus(answer: unknown, meta: ErrorMeta): void {
  const status = statusOf(answer);
  if (status === undefined) {
    throw new BackendError(
      `${meta.backend ?? 'milvus'} \`${meta.operation ?? 'call'}\`: the answer carries no status (is this a Milvus server of version 2.3 or later?)`,
      { meta, cause: answer },
    );
  }
  if (!isSuccess(status)) throw statusError(status, meta);
}

/** The status of an answer: its `status` field, or the answer itself when it is a status. */
export function statusOf(answer: unknown): MilvusStatus | undefined {
  if (!isPlainObject(answer)) return undefined;
  const nested = answer.status;
  if (isPlainObject(nested) && ('error_code' in nested || 'code' in nested)) {
    return nested;
  }
  if ('error_code' in answer || 'code' in answer) {
    if (typeof answer.code === 'number' || typeof answer.error_code === 'string') {
      return answer;
    }
  }
  return undefined;
}

const SDK_ERROR_CODE = /ErrorCode: (\w+)\. Reason: (.*)$/s;

/**
 * The error for something an SDK call threw or rejected with.
 *
 * @param error - What the SDK threw.
 * @param meta - Backend, operation and collection.
 * @returns The error, naming the backend, with the original as `cause`: a thrown status (or an
 *   answer with a failed status) as {@link statusError} says; `Error('ErrorCode: X. Reason: ...')`
 *   likewise; gRPC UNAVAILABLE, and DEADLINE_EXCEEDED before a connection was made, as
 *   `UnavailableError: cannot reach Milvus at host:port: <why>`; DEADLINE_EXCEEDED after as
 *   `TimeoutError`; other gRPC and network errors as `toVecmeshError` classifies them
 *   (RESOURCE_EXHAUSTED as `RateLimitedError`; all three retryable); anything else a
 *   `BackendError`.
 *
 * @example
 * ```ts
 * sdkError(Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: '', metadata: {} }), meta);
 * // UnavailableError, retryable
 * ```
 */
export function sdkError(error: unknown, meta: ErrorMeta): VecmeshError {
  if (error instanceof VecmeshError) return error.withMeta(meta);
  const status = statusOf(error);
  if (status !== undefined && !isSuccess(status)) return statusError(status, meta);
  if (error instanceof Error) {
    const match = SDK_ERROR_CODE.exec(error.message);
    if (match !== null) {
      return statusError({ error_code: match[1], reason: match[2] }, meta);
    }
  }
  const transport = grpcTransportError(error, meta);
  if (transport !== undefined) return transport;
  const context = `${meta.backend ?? 'milvus'} \`${meta.operation ?? 'call'}\``;
  return toVecmeshError(error, context).withMeta(meta);
}

/**
 * The error for a collection the server does not have.
 *
 * @param name - The collection as the caller named it.
 * @param meta - Backend, operation and collection.
 * @param cause - What Milvus or the SDK said, if anything.
 * @returns `CollectionNotFoundError: collection \`docs\` does not exist on Milvus at host:port`.
 *
 * @example
 * ```ts
 * collectionNotFound('docs', { backend: 'http://127.0.0.1:19530' }).message;
 * // 'collection `docs` does not exist on Milvus at 127.0.0.1:19530'
 * ```
 */
export function collectionNotFound(
  name: string,
  meta: ErrorMeta,
  cause?: unknown,
): CollectionNotFoundError {
  return new CollectionNotFoundError(
    `collection \`${name}\` does not exist on Milvus at ${hostPort(meta.backend ?? 'milvus')}`,
    cause === undefined ? { meta } : { meta, cause },
  );
}

// gRPC status codes of @grpc/grpc-js: the channel's own failures, not Milvus's answers.
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
// grpc-js says so when a deadline passed before any connection was ready to take the call.
const NOT_CONNECTED = /Waiting for LB pick/;
const ELAPSED = /Deadline exceeded after (\d+(?:\.\d+)?)s/;

/**
 * One line for a gRPC UNAVAILABLE (`cannot reach Milvus at host:port: connection refused`) or
 * DEADLINE_EXCEEDED (before a connection: `cannot reach ...: no connection within 1.0 s`; after
 * one: a `TimeoutError`), instead of grpc-js's text; `undefined` for anything else.
 */
function grpcTransportError(error: unknown, meta: ErrorMeta): VecmeshError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, details } = error as { code?: unknown; details?: unknown };
  if (code !== GRPC_UNAVAILABLE && code !== GRPC_DEADLINE_EXCEEDED) return undefined;
  if (!('details' in error) && !('metadata' in error)) return undefined;
  const text = typeof details === 'string' ? details : '';
  const at = `Milvus at ${hostPort(meta.backend ?? 'milvus')}`;
  const options = { meta, cause: error };
  if (code === GRPC_UNAVAILABLE) {
    return new UnavailableError(
      `cannot reach ${at}: ${connectionFailure(error) ?? 'unavailable'}`,
      options,
    );
  }
  const seconds = ELAPSED.exec(text)?.[1];
  const within = seconds === undefined ? '' : ` within ${Number(seconds).toFixed(1)} s`;
  if (NOT_CONNECTED.test(text)) {
    return new UnavailableError(`cannot reach ${at}: no connection${within}`, options);
  }
  return new TimeoutError(
    `${at} \`${meta.operation ?? 'call'}\`: no answer${within} (\`timeoutMs\`)`,
    options,
  );
}

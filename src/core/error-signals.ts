/**
 * The tables foreign errors are read with: Node system and undici error codes, HTTP statuses,
 * gRPC status codes and error names, each mapped to an error kind and whether trying again may
 * help. `native-errors.ts` walks an error with them; kept apart so that the tables can be read
 * (and extended) at a glance.
 *
 * @module
 */
import type { ErrorKind } from './error-kind.js';

/** What one signal (a code, a status, a name) says about an error. */
export interface KindRule {
  /** What the error means. */
  readonly kind: ErrorKind;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
}

const r = (kind: ErrorKind, retryable: boolean): KindRule => Object.freeze({ kind, retryable });

const UNAVAILABLE = r('unavailable', true);
const TIMEOUT = r('timeout', true);
const RATE_LIMITED = r('rate-limited', true);
const ABORTED = r('aborted', false);
const INVALID = r('invalid', false);
const NOT_FOUND = r('not-found', false);
const CONFLICT = r('conflict', false);
const BACKEND_RETRYABLE = r('backend', true);
const BACKEND_FINAL = r('backend', false);

const CODES: ReadonlyMap<string, KindRule> = new Map([
  // Refused, reset, cut or unroutable: this host does not serve us now; another may.
  // ENOTFOUND too: the name may resolve for another replica, or again after a DNS hiccup.
  ...[
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'EPIPE',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ENETUNREACH',
    'ENETDOWN',
    'ENETRESET',
    'EAI_AGAIN',
    'ENOTFOUND',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_DESTROYED',
  ].map((code): [string, KindRule] => [code, UNAVAILABLE]),
  ...[
    'ETIMEDOUT',
    'ESOCKETTIMEDOUT',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_SOCKET_TIMEOUT',
  ].map((code): [string, KindRule] => [code, TIMEOUT]),
  ['ABORT_ERR', ABORTED],
  ['UND_ERR_ABORTED', ABORTED],
]);

/**
 * The rule for a string error `code` (Node system errors, undici).
 *
 * @param code - The error's `code`.
 * @returns The rule, or `undefined` for a code this table does not know.
 *
 * @example
 * ```ts
 * kindOfCode('ECONNREFUSED'); // { kind: 'unavailable', retryable: true }
 * kindOfCode('UND_ERR_HEADERS_TIMEOUT'); // { kind: 'timeout', retryable: true }
 * ```
 */
export function kindOfCode(code: string): KindRule | undefined {
  return CODES.get(code);
}

/**
 * The rule for an HTTP status: 408/504 timeout, 429 rate limited, 500/502/503 unavailable,
 * 400/413/414/422/431 invalid, 404/410 not found, 409 conflict, 401/403/407 and 501/505 final
 * backend errors, other 5xx retryable backend errors, other 4xx final backend errors.
 *
 * @param status - An HTTP status code.
 * @returns The rule, or `undefined` below 400 (not an error status).
 *
 * @example
 * ```ts
 * httpKind(503); // { kind: 'unavailable', retryable: true }
 * httpKind(422); // { kind: 'invalid', retryable: false }
 * ```
 */
export function httpKind(status: number): KindRule | undefined {
  switch (status) {
    case 408:
    case 504:
      return TIMEOUT;
    case 429:
      return RATE_LIMITED;
    case 500:
    case 502:
    case 503:
      return UNAVAILABLE;
    case 400:
    case 413:
    case 414:
    case 422:
    case 431:
      return INVALID;
    case 404:
    case 410:
      return NOT_FOUND;
    case 409:
      return CONFLICT;
    case 501:
    case 505:
      // Not implemented / version not supported: no replica of the same server will differ.
      return BACKEND_FINAL;
  }
  if (status >= 500) return BACKEND_RETRYABLE;
  if (status >= 400) return BACKEND_FINAL; // 401, 403, 407 and other client errors
  return undefined;
}

// Indexed by gRPC status code (https://grpc.io/docs/guides/status-codes/); 0 is OK.
const GRPC: readonly (KindRule | undefined)[] = [
  undefined, // 0 OK
  ABORTED, // 1 CANCELLED
  BACKEND_FINAL, // 2 UNKNOWN: the server handler threw
  INVALID, // 3 INVALID_ARGUMENT
  TIMEOUT, // 4 DEADLINE_EXCEEDED
  NOT_FOUND, // 5 NOT_FOUND
  CONFLICT, // 6 ALREADY_EXISTS
  BACKEND_FINAL, // 7 PERMISSION_DENIED
  RATE_LIMITED, // 8 RESOURCE_EXHAUSTED
  BACKEND_FINAL, // 9 FAILED_PRECONDITION: the system must change before a retry helps
  BACKEND_RETRYABLE, // 10 ABORTED: a concurrency conflict, retry at a higher level
  INVALID, // 11 OUT_OF_RANGE
  BACKEND_FINAL, // 12 UNIMPLEMENTED
  BACKEND_RETRYABLE, // 13 INTERNAL: grpc-js also uses it for transient protocol errors
  UNAVAILABLE, // 14 UNAVAILABLE
  BACKEND_FINAL, // 15 DATA_LOSS
  BACKEND_FINAL, // 16 UNAUTHENTICATED
];

/**
 * The rule for a gRPC status code, as `@grpc/grpc-js` puts it in a `ServiceError`'s `code`.
 *
 * @param code - A gRPC status code, 0 to 16.
 * @returns The rule, or `undefined` for 0 (OK) and codes outside the range.
 *
 * @example
 * ```ts
 * grpcKind(14); // { kind: 'unavailable', retryable: true }
 * grpcKind(8);  // { kind: 'rate-limited', retryable: true }
 * ```
 */
export function grpcKind(code: number): KindRule | undefined {
  return Number.isInteger(code) ? GRPC[code] : undefined;
}

const NAMES: ReadonlyMap<string, KindRule> = new Map([
  ['AbortError', ABORTED],
  ['TimeoutError', TIMEOUT],
  // @qdrant/js-client-rest: a 429 that carried a Retry-After header.
  ['QdrantClientResourceExhaustedError', RATE_LIMITED],
]);

/**
 * The rule for an error `name`: `AbortError` (DOMException, Node, undici, p-retry), `TimeoutError`
 * and any name ending in `TimeoutError` (`AbortSignal.timeout()`, `QdrantClientTimeoutError`,
 * undici's `ConnectTimeoutError`), `QdrantClientResourceExhaustedError`.
 *
 * @param name - The error's `name`.
 * @returns The rule, or `undefined` for other names.
 *
 * @example
 * ```ts
 * kindOfName('QdrantClientTimeoutError'); // { kind: 'timeout', retryable: true }
 * kindOfName('TypeError');                // undefined
 * ```
 */
export function kindOfName(name: string): KindRule | undefined {
  return NAMES.get(name) ?? (name.endsWith('TimeoutError') ? TIMEOUT : undefined);
}

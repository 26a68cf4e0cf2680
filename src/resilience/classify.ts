/**
 * The one place that decides what an error means: whether trying again may help, and whether it
 * says something about the health of the replica that raised it. The retry loop asks
 * {@link classify}`(err).retryable`; the circuit breaker's error filter asks `.replicaFault`; code
 * that must throw a `VecmeshError` normalises anything else with {@link toVecmeshError}.
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
 * Anything else is `unknown`: not retryable, not a replica fault.
 *
 * @module
 */
import {
  AbortedError,
  BackendError,
  ClosedError,
  CollectionConflictError,
  CollectionNotFoundError,
  InvalidArgumentError,
  PartialWriteError,
  RateLimitedError,
  ShardUnavailableError,
  TimeoutError,
  UnavailableError,
  VecmeshError,
  messageOf,
} from '../core/errors.js';
import { grpcKind, httpKind, kindOfCode, kindOfName, type KindRule } from './error-signals.js';

/**
 * What an error means.
 *
 * - `unavailable`: the endpoint could not be reached or said it cannot serve now (503, gRPC 14).
 * - `timeout`: no answer in time (408, 504, gRPC 4, socket and deadline timeouts).
 * - `rate-limited`: the endpoint asked the client to slow down (429, gRPC 8).
 * - `aborted`: the caller gave up through its `AbortSignal`.
 * - `invalid`: the request can never succeed as given (400, 422, gRPC 3).
 * - `not-found`: the collection (or resource) does not exist (404, gRPC 5).
 * - `conflict`: it exists with other settings (409, gRPC 6).
 * - `closed`: the mesh or backend was closed, or never connected.
 * - `backend`: the endpoint failed in a way with no better word (other 5xx, 401/403).
 * - `unknown`: nothing recognisable.
 */
export type ErrorKind =
  | 'unavailable'
  | 'timeout'
  | 'rate-limited'
  | 'aborted'
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'closed'
  | 'backend'
  | 'unknown';

/** The verdict on one error. The objects are frozen and shared: compare fields, not identity. */
export interface Classification {
  /** What the error means. */
  readonly kind: ErrorKind;
  /** Whether the same request may succeed if tried again, on the same or another replica. */
  readonly retryable: boolean;
  /**
   * Whether the error says the replica is unhealthy, so that it counts towards opening the
   * replica's breaker: `unavailable`, `timeout`, `rate-limited` (an overloaded replica is shed
   * until it recovers) and retryable `backend` errors (5xx-like). Caller mistakes (`invalid`,
   * `not-found`, `conflict`), caller aborts, `closed`, `unknown`, and the mesh's own aggregate
   * errors (`ShardUnavailableError`, `PartialWriteError`) never count.
   */
  readonly replicaFault: boolean;
}

const KINDS: readonly ErrorKind[] = [
  'unavailable',
  'timeout',
  'rate-limited',
  'aborted',
  'invalid',
  'not-found',
  'conflict',
  'closed',
  'backend',
  'unknown',
];

// Every (kind, retryable, replicaFault) combination, frozen once, so that classifying allocates
// nothing. Index: retryable + 2 * replicaFault.
const TABLE = new Map<ErrorKind, readonly Classification[]>(
  KINDS.map((kind) => [
    kind,
    Object.freeze(
      [0, 1, 2, 3].map((i) =>
        Object.freeze({ kind, retryable: (i & 1) === 1, replicaFault: (i & 2) === 2 }),
      ),
    ),
  ]),
);

function verdict(kind: ErrorKind, retryable: boolean, replicaFault: boolean): Classification {
  return (TABLE.get(kind) as readonly Classification[])[
    (retryable ? 1 : 0) + (replicaFault ? 2 : 0)
  ] as Classification;
}

/** Whether an error of this kind from one replica speaks about that replica's health. */
function faultOf(kind: ErrorKind, retryable: boolean): boolean {
  return (
    kind === 'unavailable' ||
    kind === 'timeout' ||
    kind === 'rate-limited' ||
    (kind === 'backend' && retryable)
  );
}

function fromRule(rule: KindRule): Classification {
  return verdict(rule.kind, rule.retryable, faultOf(rule.kind, rule.retryable));
}

const UNKNOWN = verdict('unknown', false, false);

// `aggregate`: raised by the mesh about many replicas, never by one; it counts against none.
interface VecmeshRule {
  readonly kind: ErrorKind;
  readonly aggregate: boolean;
}

const rule = (kind: ErrorKind, aggregate = false): VecmeshRule => ({ kind, aggregate });

const BY_CODE: ReadonlyMap<string, VecmeshRule> = new Map([
  ['VECMESH_ERR_UNAVAILABLE', rule('unavailable')],
  ['VECMESH_ERR_TIMEOUT', rule('timeout')],
  ['VECMESH_ERR_RATE_LIMITED', rule('rate-limited')],
  ['VECMESH_ERR_SHARD_UNAVAILABLE', rule('unavailable', true)],
  ['VECMESH_ERR_PARTIAL_WRITE', rule('backend', true)],
  ['VECMESH_ERR_ABORTED', rule('aborted')],
  ['VECMESH_ERR_CLOSED', rule('closed')],
  ['VECMESH_ERR_BACKEND', rule('backend')],
  ['VECMESH_ERR_COLLECTION_NOT_FOUND', rule('not-found')],
  ['VECMESH_ERR_COLLECTION_CONFLICT', rule('conflict')],
  ['VECMESH_ERR_INVALID_ARGUMENT', rule('invalid')],
  ['VECMESH_ERR_INVALID_OPTION', rule('invalid')],
  ['VECMESH_ERR_INVALID_TOPOLOGY', rule('invalid')],
  ['VECMESH_ERR_INVALID_VECTOR', rule('invalid')],
  ['VECMESH_ERR_INVALID_FILTER', rule('invalid')],
  ['VECMESH_ERR_INVALID_BATCH', rule('invalid')],
]);

// For subclasses with a code of their own: the nearest known ancestor decides.
const BY_CLASS: readonly [abstract new (...args: never[]) => VecmeshError, VecmeshRule][] = [
  [UnavailableError, rule('unavailable')],
  [TimeoutError, rule('timeout')],
  [RateLimitedError, rule('rate-limited')],
  [ShardUnavailableError, rule('unavailable', true)],
  [PartialWriteError, rule('backend', true)],
  [AbortedError, rule('aborted')],
  [ClosedError, rule('closed')],
  [BackendError, rule('backend')],
  [CollectionNotFoundError, rule('not-found')],
  [CollectionConflictError, rule('conflict')],
  [InvalidArgumentError, rule('invalid')],
];

function classifyVecmesh(error: VecmeshError): Classification {
  let r = BY_CODE.get(error.code);
  if (r === undefined) r = BY_CLASS.find(([ctor]) => error instanceof ctor)?.[1];
  if (r === undefined) return verdict('unknown', error.retryable, false);
  return verdict(r.kind, error.retryable, !r.aggregate && faultOf(r.kind, error.retryable));
}

/**
 * Decides what an error means.
 *
 * @param error - Anything thrown or rejected.
 * @returns A frozen, shared {@link Classification}; never throws.
 *
 * @example
 * ```ts
 * classify(new UnavailableError('down'));                       // unavailable, retryable, replicaFault
 * classify(Object.assign(new Error('x'), { code: 'ECONNRESET' })); // unavailable, retryable, replicaFault
 * classify(new TypeError('fetch failed', { cause: refused }));  // whatever `refused` is
 * classify({ status: 429 });                                    // rate-limited, retryable, replicaFault
 * classify(new InvalidFilterError('bad'));                      // invalid, not retryable, no fault
 * ```
 */
export function classify(error: unknown): Classification {
  // The hot path: adapters throw VecmeshErrors; no allocation here.
  if (error instanceof VecmeshError) return classifyVecmesh(error);
  return find(error, 0)?.classification ?? UNKNOWN;
}

/** A verdict and the (possibly nested) error that earned it. */
interface Finding {
  readonly classification: Classification;
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

function find(error: unknown, depth: number): Finding | undefined {
  if (error instanceof VecmeshError) {
    return { classification: classifyVecmesh(error), source: error };
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const own = ownRule(e);
  if (own !== undefined && own.kind !== 'aborted') {
    return { classification: fromRule(own), source: e };
  }
  const nested = depth < MAX_DEPTH ? findNested(e, depth + 1) : undefined;
  // An abort whose cause says why (a timeout, say) means what the cause means.
  if (nested !== undefined) return nested;
  if (own !== undefined) return { classification: fromRule(own), source: e };
  if (isFetchFailure(e)) return { classification: fromRule(FETCH_FAILURE), source: e };
  return undefined;
}

function findNested(e: ErrorShape, depth: number): Finding | undefined {
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
 * A `VecmeshError` is returned unchanged. Anything else becomes the class of its
 * {@link classify} kind (`UnavailableError`, `TimeoutError`, `RateLimitedError`, `AbortedError`,
 * `InvalidArgumentError`, `CollectionNotFoundError`, `CollectionConflictError`, `ClosedError`,
 * `BackendError`; `unknown` becomes a non-retryable `BackendError`), with `retryable` as
 * classified, the original error as `cause`, and the original message (plus the message of the
 * nested error that decided, when it differs, e.g. `fetch failed (connect ECONNREFUSED ...)`).
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
  const classification = found?.classification ?? UNKNOWN;
  let message = messageOf(error);
  if (found !== undefined && found.source !== error) {
    const inner = messageOf(found.source);
    if (!message.includes(inner)) message = `${message} (${inner})`;
  }
  if (context !== undefined && context !== '') message = `${context}: ${message}`;
  const options = { cause: error, retryable: classification.retryable };
  switch (classification.kind) {
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

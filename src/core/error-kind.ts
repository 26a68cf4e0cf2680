/**
 * The kinds of error vecmesh tells apart, and the kind of each error of its own tree.
 *
 * Foreign errors (sockets, HTTP, gRPC, fetch) are read into the same kinds by
 * `native-errors.ts`; what a kind means for retries and breakers is decided in
 * `src/resilience/classify.ts`.
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
  type VecmeshError,
} from './errors.js';

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

/** What the vecmesh error tree says of one of its errors. */
export interface VecmeshErrorKind {
  /** What the error means. */
  readonly kind: ErrorKind;
  /**
   * Whether the mesh raised it about many replicas at once (`ShardUnavailableError`,
   * `PartialWriteError`) rather than one replica raising it.
   */
  readonly aggregate: boolean;
}

const rule = (kind: ErrorKind, aggregate = false): VecmeshErrorKind =>
  Object.freeze({ kind, aggregate });

const BY_CODE: ReadonlyMap<string, VecmeshErrorKind> = new Map([
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
const BY_CLASS: readonly [abstract new (...args: never[]) => VecmeshError, VecmeshErrorKind][] = [
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

/**
 * The kind of a vecmesh error: by its `code`, else by the nearest known class it extends.
 *
 * @param error - A vecmesh error.
 * @returns A frozen, shared {@link VecmeshErrorKind}, or `undefined` for a code and class this
 * table does not know (such as `MissingDependencyError`).
 *
 * @example
 * ```ts
 * kindOfVecmeshError(new InvalidFilterError('bad'));     // { kind: 'invalid', aggregate: false }
 * kindOfVecmeshError(new ShardUnavailableError(...));    // { kind: 'unavailable', aggregate: true }
 * ```
 */
export function kindOfVecmeshError(error: VecmeshError): VecmeshErrorKind | undefined {
  return BY_CODE.get(error.code) ?? BY_CLASS.find(([ctor]) => error instanceof ctor)?.[1];
}

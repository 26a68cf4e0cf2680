/**
 * The vecmesh error tree. Every error vecmesh throws is a {@link VecmeshError} with a stable
 * `code` (`VECMESH_ERR_*`), a `retryable` flag, an optional `cause` and `meta` saying where it
 * happened. `instanceof` works across duplicate copies of the package (two versions in one
 * `node_modules`), because it checks a registered brand rather than the prototype chain.
 *
 * @module
 */
import type { PointId } from './types.js';

const BRAND = Symbol.for('vecmesh.error');
const KINDS = Symbol.for('vecmesh.error.kinds');

/** Where an error happened. Every field is optional; the mesh fills in what it knows. */
export interface ErrorMeta {
  /** Logical collection name. */
  collection?: string;
  /** Backend kind and endpoint, e.g. `memory://a` or `http://127.0.0.1:7001`. */
  backend?: string;
  /** Cluster name from the topology. */
  cluster?: string;
  /** Shard name from the topology. */
  shard?: string;
  /** Replica name from the topology. */
  replica?: string;
  /** 1-based attempt number of the request that failed. */
  attempt?: number;
  /** Operation name, e.g. `search` or `upsert`. */
  operation?: string;
}

/** Options accepted by every vecmesh error constructor. */
export interface VecmeshErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Where it happened. */
  meta?: ErrorMeta;
  /** Overrides the class default for whether trying again may succeed. */
  retryable?: boolean;
}

/**
 * The base of every error vecmesh throws.
 *
 * @example
 * ```ts
 * try { await docs.search({ vectors: [q], topK: 10 }); }
 * catch (err) {
 *   if (err instanceof VecmeshError && err.retryable) { ... }
 *   logger.error(err.code, err.meta);
 * }
 * ```
 */
export class VecmeshError extends Error {
  /** Stable machine-readable code, `VECMESH_ERR_*`. */
  readonly code: string = 'VECMESH_ERR';
  /** Whether the same request may succeed if tried again (on this or another replica). */
  readonly retryable: boolean;
  /** Where the error happened. */
  readonly meta: ErrorMeta;

  /** Default for `retryable` when the constructor is not told. */
  protected static readonly defaultRetryable: boolean = false;

  /**
   * @param message - What went wrong, naming the input or option and what was received.
   * @param options - Cause, meta and a `retryable` override.
   */
  constructor(message: string, options: VecmeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = new.target;
    this.name = ctor.name;
    this.retryable = options.retryable ?? ctor.defaultRetryable;
    this.meta = Object.freeze({ ...options.meta });
    const kinds: string[] = [];
    for (
      let c: unknown = ctor;
      c !== Error && typeof c === 'function';
      c = Object.getPrototypeOf(c)
    ) {
      kinds.push((c as { name: string }).name);
    }
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds) });
  }

  /** Brand check so that `instanceof` works across copies of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const v = value as { [BRAND]?: boolean; [KINDS]?: readonly string[] };
    return v[BRAND] === true && (v[KINDS]?.includes(this.name) ?? false);
  }

  /** Returns a copy of this error with extra meta (the original's fields win on conflict). */
  withMeta(meta: ErrorMeta): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperty(copy, 'meta', { value: Object.freeze({ ...meta, ...this.meta }) });
    return copy;
  }
}

/** Bad input from the caller: a value that can never succeed as given. */
export class InvalidArgumentError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_INVALID_ARGUMENT';
}

/** An option passed to `createMesh` or another factory is invalid. */
export class InvalidOptionError extends InvalidArgumentError {
  override readonly code: string = 'VECMESH_ERR_INVALID_OPTION';
}

/** The topology (clusters, shards, replicas, sharding) is invalid. */
export class InvalidTopologyError extends InvalidOptionError {
  override readonly code: string = 'VECMESH_ERR_INVALID_TOPOLOGY';
}

/** A vector has the wrong dimension or a value that is not a finite number. */
export class InvalidVectorError extends InvalidArgumentError {
  override readonly code: string = 'VECMESH_ERR_INVALID_VECTOR';
}

/** A filter is malformed: unknown operator, invalid field name or a value of the wrong type. */
export class InvalidFilterError extends InvalidArgumentError {
  override readonly code: string = 'VECMESH_ERR_INVALID_FILTER';
}

/** One point of a batch that was rejected, and why. */
export interface PointProblem {
  /** Position of the point in the batch the caller passed. */
  index: number;
  /** The point's id, when it had a usable one. */
  id?: PointId;
  /** The error for this point. */
  error: VecmeshError;
}

/**
 * A write batch had invalid points. Nothing of the batch was sent: `problems` lists every
 * invalid point (up to the first 100), with its position and the reason.
 */
export class InvalidBatchError extends InvalidArgumentError {
  override readonly code: string = 'VECMESH_ERR_INVALID_BATCH';
  /** The invalid points, in batch order. */
  readonly problems: readonly PointProblem[];

  /**
   * @param message - Summary of what was wrong.
   * @param problems - The invalid points.
   * @param options - Cause and meta.
   */
  constructor(message: string, problems: readonly PointProblem[], options?: VecmeshErrorOptions) {
    super(message, options);
    this.problems = Object.freeze([...problems]);
  }
}

/** The named collection does not exist (on the mesh or on one backend). */
export class CollectionNotFoundError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_COLLECTION_NOT_FOUND';
}

/** The collection exists with a different dimension or metric than the one asked for. */
export class CollectionConflictError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_COLLECTION_CONFLICT';
}

/** A backend could not be reached or refused the connection. Retryable. */
export class UnavailableError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_UNAVAILABLE';
  protected static override readonly defaultRetryable: boolean = true;
}

/** The operation's deadline passed before an answer came. Retryable. */
export class TimeoutError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_TIMEOUT';
  protected static override readonly defaultRetryable: boolean = true;
}

/** The backend asked the client to slow down. Retryable. */
export class RateLimitedError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_RATE_LIMITED';
  protected static override readonly defaultRetryable: boolean = true;
}

/** The caller aborted the operation through its `AbortSignal`. Not retryable. */
export class AbortedError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_ABORTED';
}

/** A backend answered with an error that vecmesh has no better class for. */
export class BackendError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_BACKEND';
}

/** The mesh or backend is closed, or was never connected. */
export class ClosedError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_CLOSED';
}

/**
 * An optional peer dependency that the feature in use needs is not installed (for example
 * `ioredis` for `redisCacheStore({ url })`). The message names the package and the command
 * that installs it. Not retryable.
 */
export class MissingDependencyError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_MISSING_DEPENDENCY';
  /** The npm package to install. */
  readonly packageName: string;

  /**
   * @param packageName - The npm package to install.
   * @param message - What needs it and how to install it.
   * @param options - The loader's error as `cause`.
   */
  constructor(packageName: string, message: string, options: VecmeshErrorOptions = {}) {
    super(message, options);
    this.packageName = packageName;
  }
}

/** A shard could not answer a read from any replica of any cluster. */
export class ShardUnavailableError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_SHARD_UNAVAILABLE';
  protected static override readonly defaultRetryable: boolean = true;
}

/**
 * A topology change or migration was refused (nothing was changed and nothing moved), or it
 * cannot go on: another change or migration is running, the change would lose a shard's data,
 * it needs `reshard()` rather than `updateTopology()` (or the reverse), or a checkpoint belongs
 * to another migration. The message says which and what to do.
 */
export class TopologyChangeError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_TOPOLOGY_CHANGE';
}

/** One point of a write that was not acknowledged, and why. */
export interface PointFailure {
  /** The point's id. */
  id: PointId;
  /** Why it failed (the last error seen for its chunk). */
  error: VecmeshError;
}

/**
 * Part of a write was not acknowledged. `failures` lists every id that failed with its
 * reason; every other id of the batch was acknowledged at the requested consistency.
 * Writes are idempotent, so sending the failed ids again is safe.
 */
export class PartialWriteError extends VecmeshError {
  override readonly code: string = 'VECMESH_ERR_PARTIAL_WRITE';
  /** The ids that failed, with their reason. */
  readonly failures: readonly PointFailure[];
  /** How many ids of the batch were acknowledged. */
  readonly acknowledged: number;

  /**
   * @param message - Summary.
   * @param failures - Ids that failed.
   * @param acknowledged - Number of ids acknowledged.
   * @param options - Cause and meta.
   */
  constructor(
    message: string,
    failures: readonly PointFailure[],
    acknowledged: number,
    options?: VecmeshErrorOptions,
  ) {
    super(message, { retryable: failures.every((f) => f.error.retryable), ...options });
    this.failures = Object.freeze([...failures]);
    this.acknowledged = acknowledged;
  }
}

/**
 * The message of something thrown: an error's `message` (or its `name` when the message is
 * empty), a string as it is, anything else described.
 *
 * @example
 * ```ts
 * messageOf(new Error('refused')); // 'refused'
 * messageOf(42); // 'number 42' (as describeValue renders it)
 * ```
 */
export function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { message, name } = value as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof name === 'string' && name !== '') return name;
  }
  return describeValue(value);
}

/** Describes a received value in an error message: type and a short rendering. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === 'string') {
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  }
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as unknown as { length?: number }).length ?? '?'}`;
  if (typeof value === 'function') return 'function';
  const ctorName = (value as { constructor?: { name?: string } }).constructor?.name;
  return `object ${ctorName ?? 'Object'}`;
}

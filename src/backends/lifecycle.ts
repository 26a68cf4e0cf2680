/**
 * The lifecycle every adapter follows: `new` until `connect()`, then `open` until `close()`, then
 * `closed` for good. Each call first checks its signal, then the state, so that an aborted call
 * reports the abort and a call out of turn a `ClosedError` naming what to do instead.
 *
 * @module
 */
import { ClosedError, type ErrorMeta } from '../core/errors.js';
import { throwIfAborted } from './abort.js';

/** Where an adapter is: before `connect()`, between `connect()` and `close()`, after `close()`. */
export type LifecycleState = 'new' | 'open' | 'closed';

/**
 * The lifecycle state of one adapter instance, and the checks and error meta of its calls.
 *
 * @example
 * ```ts
 * const life = new BackendLifecycle('memory://a');
 * life.check(undefined, life.meta('search', 'docs')); // throws ClosedError: not connected
 * life.open(undefined, life.meta('connect'));
 * life.check(undefined, life.meta('search', 'docs')); // returns
 * life.close();
 * ```
 */
export class BackendLifecycle {
  private state: LifecycleState = 'new';

  /** @param endpoint - The adapter's endpoint, for messages and meta. */
  constructor(readonly endpoint: string) {}

  /** Whether `open()` ran and `close()` did not. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * The meta of one call's errors.
   *
   * @param operation - The call, e.g. `search`.
   * @param collection - The collection it is about, if any.
   * @returns `{ backend, operation }`, plus `collection` when given.
   */
  meta(operation: string, collection?: string): ErrorMeta {
    return collection === undefined
      ? { backend: this.endpoint, operation }
      : { backend: this.endpoint, operation, collection };
  }

  /**
   * The checks of `connect()`, then the move to `open` (again when already open).
   *
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta.
   * @throws `AbortedError` or `TimeoutError` when the signal has aborted; `ClosedError` after
   *   `close()`.
   */
  open(signal: AbortSignal | undefined, meta: ErrorMeta): void {
    throwIfAborted(signal, this.endpoint, meta);
    if (this.state === 'closed') throw this.closedError('connect');
    this.state = 'open';
  }

  /** Moves to `closed`, for good. Idempotent. */
  close(): void {
    this.state = 'closed';
  }

  /**
   * The checks every call but `connect()` starts with.
   *
   * @param signal - The call's signal, if any.
   * @param meta - The call's meta; its `operation` names the call in a `ClosedError`.
   * @throws `AbortedError` or `TimeoutError` when the signal has aborted; `ClosedError` before
   *   `connect()` and after `close()`.
   */
  check(signal: AbortSignal | undefined, meta: ErrorMeta): void {
    throwIfAborted(signal, this.endpoint, meta);
    if (this.state !== 'open') throw this.closedError(meta.operation ?? 'call');
  }

  /**
   * The error of a call before `connect()` or after `close()`, saying which it was.
   *
   * @param operation - The call refused.
   * @returns A `ClosedError` with `meta: { backend, operation }`.
   */
  closedError(operation: string): ClosedError {
    return new ClosedError(
      this.state === 'new'
        ? `${this.endpoint} is not connected; call \`connect()\` before \`${operation}\``
        : `${this.endpoint} is closed; create a new backend instead of calling \`${operation}\``,
      { meta: { backend: this.endpoint, operation } },
    );
  }
}

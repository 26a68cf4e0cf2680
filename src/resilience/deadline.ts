/**
 * One deadline per operation: a single `AbortController` and a single timer, shared by every
 * attempt the operation makes. Cheaper than `AbortSignal.timeout()` + `AbortSignal.any()` per
 * attempt (architecture §5 has the measurements).
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import { AbortedError, TimeoutError, VecmeshError } from '../core/errors.js';

/**
 * The time budget of one operation.
 *
 * Aborts its `signal` with a `TimeoutError` when the time is up, or with an `AbortedError` when
 * the caller's signal aborts. Always call {@link Deadline.dispose} (in a `finally`) so that the
 * timer and the listener on the caller's signal are released.
 *
 * @example
 * ```ts
 * const deadline = new Deadline(2000, 'search', options.signal);
 * try { return await deadline.race(backend.search(name, request, { signal: deadline.signal })); }
 * finally { deadline.dispose(); }
 * ```
 */
export class Deadline {
  /** Aborted when the deadline passes or the caller aborts; pass it to every attempt. */
  readonly signal: AbortSignal;
  /** `performance.now()` value at which the deadline passes. */
  readonly expiresAt: number;

  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly parent: AbortSignal | undefined;
  private aborted: Promise<never> | undefined;

  /**
   * @param timeoutMs - Time budget in milliseconds (> 0).
   * @param operation - Named in the `TimeoutError` message.
   * @param parent - The caller's signal, if any.
   * @throws {@link AbortedError} when `parent` is already aborted.
   */
  constructor(
    readonly timeoutMs: number,
    private readonly operation: string,
    parent?: AbortSignal,
  ) {
    if (parent?.aborted) throw abortedError(operation, parent);
    this.signal = this.controller.signal;
    // Every attempt, hedge and backoff of the operation listens on this one signal.
    setMaxListeners(0, this.signal);
    this.expiresAt = performance.now() + timeoutMs;
    this.timer = setTimeout(() => {
      this.controller.abort(
        new TimeoutError(`\`${operation}\` did not finish within ${timeoutMs} ms`, {
          meta: { operation },
        }),
      );
    }, timeoutMs);
    this.parent = parent;
    parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.expiresAt - performance.now());
  }

  /**
   * Settles like `promise`, or rejects with the abort reason as soon as the deadline passes, so
   * that an adapter that ignores its signal cannot hold the operation past its deadline.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.aborted === undefined) {
      this.aborted = new Promise<never>((_, reject) => {
        const fail = (): void => {
          reject(this.reason());
        };
        if (this.signal.aborted) fail();
        else this.signal.addEventListener('abort', fail, { once: true });
      });
      // The race may be lost by this promise; keep its rejection from being reported as unhandled.
      this.aborted.catch(() => undefined);
    }
    return Promise.race([promise, this.aborted]);
  }

  /** The error to report for an aborted signal: the `TimeoutError` or `AbortedError` it carries. */
  reason(): VecmeshError {
    const reason: unknown = this.signal.reason;
    return reason instanceof VecmeshError
      ? reason
      : new AbortedError(`\`${this.operation}\` was aborted`, { cause: reason });
  }

  /** Throws the abort reason if the deadline has passed or the caller aborted. */
  throwIfAborted(): void {
    if (this.signal.aborted) throw this.reason();
  }

  /** Releases the timer and the listener on the caller's signal. Idempotent. */
  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (): void => {
    // `parent` is set before the listener is added, so it is defined here.
    this.controller.abort(abortedError(this.operation, this.parent as AbortSignal));
  };
}

function abortedError(operation: string, signal: AbortSignal): AbortedError {
  return new AbortedError(`\`${operation}\` was aborted by the caller`, {
    cause: signal.reason,
    meta: { operation },
  });
}

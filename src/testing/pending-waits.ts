/**
 * The delays and hangs of a fault-injecting backend's calls: each ends when its timer fires,
 * when its call's `AbortSignal` aborts, or when the backend is closed, and leaves nothing behind
 * (no timer, no listener on the signal).
 *
 * @module
 */

/**
 * A set of waits that can all be cut short at once.
 *
 * @example
 * ```ts
 * const waits = new PendingWaits();
 * await waits.wait(20, signal, () => new AbortedError('gave up')); // 20 ms, or until `signal` aborts
 * waits.rejectAll(() => new ClosedError('closed'));                 // ends every wait still running
 * ```
 */
export class PendingWaits {
  private readonly rejecters = new Set<(error: Error) => void>();

  /** How many waits are running now. */
  get size(): number {
    return this.rejecters.size;
  }

  /**
   * Waits `ms` milliseconds on `setTimeout` (so fake timers drive it), or forever when `ms` is
   * `undefined`.
   *
   * @param ms - The delay, or `undefined` for a hang.
   * @param signal - Rejects the wait with `onAbort()` when it aborts. Expected not to be aborted
   *   yet; the caller checks that first.
   * @param onAbort - Makes the rejection error when the signal aborts.
   * @returns A promise that resolves when the time is up.
   * @throws (rejects with) `onAbort()` when the signal aborts, or the error given to
   *   {@link PendingWaits.rejectAll}.
   */
  wait(
    ms: number | undefined,
    signal: AbortSignal | undefined,
    onAbort: () => Error,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: Error): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.rejecters.delete(settle);
        if (error === undefined) resolve();
        else reject(error);
      };
      const aborted = (): void => {
        settle(onAbort());
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          settle();
        }, ms);
      }
      signal?.addEventListener('abort', aborted, { once: true });
      this.rejecters.add(settle);
    });
  }

  /**
   * Rejects every running wait.
   *
   * @param error - Makes the error of each wait.
   */
  rejectAll(error: () => Error): void {
    for (const reject of [...this.rejecters]) reject(error());
  }
}

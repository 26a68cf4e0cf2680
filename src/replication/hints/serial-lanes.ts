/**
 * Per-key serialisation: tasks for one key run one after another in call order; tasks for
 * different keys run independently. The file hint store runs every operation on a replica's
 * log in that replica's lane.
 *
 * @module
 */

/**
 * One promise chain per key, dropped when idle so that the map does not grow with every key
 * ever seen.
 *
 * @example
 * ```ts
 * const lanes = new SerialLanes();
 * void lanes.run('r1', () => write(a));
 * void lanes.run('r1', () => write(b)); // starts after write(a) settles
 * await lanes.drain();
 * ```
 */
export class SerialLanes {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` after every task queued before it for `key` has settled (whatever the outcome).
   *
   * @returns What `task` returns; a rejection is the caller's, it does not stop the lane.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every task queued so far has settled. Never rejects. */
  async drain(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}

/**
 * Bounded parallelism without a dependency: run a task per item with at most `limit` in flight.
 *
 * @module
 */

/** The outcome of one task, in the order of the input items. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `task` for every item, at most `limit` at a time, and resolves with every outcome in
 * input order. Never rejects: a failed task is reported as `{ ok: false, error }`, so that the
 * caller can say which part of a batch failed.
 *
 * @param items - The inputs.
 * @param limit - Most tasks in flight at once (at least 1).
 * @param task - Called with each item and its index.
 * @example
 * ```ts
 * const outcomes = await settleWithLimit(chunks, 4, (chunk) => backend.upsert('docs', chunk));
 * ```
 */
export async function settleWithLimit<I, T>(
  items: readonly I[],
  limit: number,
  task: (item: I, index: number) => Promise<T>,
): Promise<Settled<T>[]> {
  const outcomes = new Array<Settled<T>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await task(items[index] as I, index) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, Math.min(limit, items.length)); i++) workers.push(worker());
  await Promise.all(workers);
  return outcomes;
}

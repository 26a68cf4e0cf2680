/**
 * Collection-level calls the mesh makes on every replica (`createCollection`,
 * `dropCollection`).
 *
 * @module
 */
import { BackendError } from '../core/errors.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Replica } from '../backends/backend-topology.js';
import { tagError } from '../replication/replica-call.js';

/**
 * Runs a collection-level call on every replica in parallel under one deadline.
 *
 * @param replicas - Every replica the view in force writes to (fillers and a migration's next
 *   placement included).
 * @returns Each replica's answer, in order.
 * @throws the replicas' common non-retryable error (a conflicting spec), else a
 *   {@link BackendError} naming each failed replica.
 * @example
 * ```ts
 * await onEveryReplica(replicas, 'dropCollection', 'docs', deadline, (r, signal) =>
 *   r.backend.dropCollection('docs', { signal }));
 * ```
 */
export async function onEveryReplica<T>(
  replicas: readonly Replica[],
  operation: string,
  collection: string,
  deadline: Deadline,
  call: (replica: Replica, signal: AbortSignal) => Promise<T>,
): Promise<T[]> {
  const outcomes = await Promise.allSettled(
    replicas.map((r) => deadline.race(call(r, deadline.signal))),
  );
  const errors = outcomes.flatMap((o, i) =>
    o.status === 'rejected'
      ? [
          tagError(o.reason, replicas[i] as Replica, operation, deadline).withMeta({
            collection,
          }),
        ]
      : [],
  );
  if (errors.length > 0) {
    // A wrong request (conflicting spec) is reported as itself; transport trouble as a summary.
    const wrong = errors.find((e) => !e.retryable);
    if (wrong && errors.every((e) => e.code === wrong.code)) throw wrong;
    throw new BackendError(
      `\`${operation}\` \`${collection}\` failed on ${errors.length} of ${replicas.length} replicas: ${errors
        .map((e) => `${e.meta.replica ?? '?'} (${e.code}: ${e.message})`)
        .join('; ')}`,
      {
        cause: new AggregateError(errors),
        retryable: errors.every((e) => e.retryable),
        meta: { operation, collection },
      },
    );
  }
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

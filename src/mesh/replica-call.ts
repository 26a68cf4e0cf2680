/**
 * Calling replicas: one call with its errors tagged by where they happened, a read that walks a
 * shard's replicas until one answers, and a write that goes to every replica of a shard and
 * counts acknowledgements.
 *
 * @module
 */
import { BackendError, ShardUnavailableError, VecmeshError } from '../core/errors.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Replica, Shard } from '../topology/topology.js';
import type { WriteConsistency } from './options.js';

/** Turns whatever a replica threw into a `VecmeshError` carrying the replica's coordinates. */
export function tagError(
  error: unknown,
  replica: Replica,
  operation: string,
  deadline: Deadline,
  attempt?: number,
): VecmeshError {
  // An adapter that reports its own abort differently still ends in the deadline's reason.
  const base =
    deadline.signal.aborted && !(error instanceof VecmeshError && !error.retryable)
      ? deadline.reason()
      : error instanceof VecmeshError
        ? error
        : new BackendError(`${replica.backend.kind} backend failed: ${String(error)}`, {
            cause: error,
          });
  return base.withMeta({
    operation,
    cluster: replica.cluster,
    shard: replica.shard,
    replica: replica.id,
    backend: `${replica.backend.kind} ${replica.backend.endpoint}`,
    ...(attempt === undefined ? {} : { attempt }),
  });
}

/**
 * Reads from one shard: tries each replica of `plan` in order, moving on after a retryable
 * error, until one answers or the deadline passes.
 *
 * @throws the first non-retryable error as is; {@link ShardUnavailableError} (with the last
 * error as `cause`) when every replica failed with a retryable one.
 */
export async function readFromShard<T>(
  shard: Shard,
  plan: readonly Replica[],
  operation: string,
  deadline: Deadline,
  call: (replica: Replica) => Promise<T>,
): Promise<T> {
  let last: VecmeshError | undefined;
  for (let i = 0; i < plan.length; i++) {
    const replica = plan[i] as Replica;
    if (deadline.signal.aborted) break;
    try {
      return await deadline.race(call(replica));
    } catch (error) {
      last = tagError(error, replica, operation, deadline, i + 1);
      if (!last.retryable) throw last;
    }
  }
  if (deadline.signal.aborted)
    throw tagError(deadline.reason(), shard.primary, operation, deadline);
  throw new ShardUnavailableError(
    `\`${operation}\`: no replica of shard \`${shard.cluster}/${shard.name}\` answered (${plan.length} tried)${last ? `; last error: ${last.message}` : ''}`,
    { cause: last, meta: { operation, cluster: shard.cluster, shard: shard.name } },
  );
}

/** Replicas that must acknowledge a write of a shard with `replicaCount` replicas. */
export function requiredAcks(consistency: WriteConsistency, replicaCount: number): number {
  switch (consistency) {
    case 'one':
      return 1;
    case 'quorum':
      return Math.floor(replicaCount / 2) + 1;
    case 'all':
      return replicaCount;
  }
}

/** The outcome of writing one chunk to every replica of a shard. */
export interface ShardWriteOutcome {
  /** Replicas that acknowledged. */
  readonly acknowledged: readonly Replica[];
  /** Replicas that failed, with their errors. */
  readonly failed: readonly { replica: Replica; error: VecmeshError }[];
}

/**
 * Writes to every replica of a shard in parallel and waits for all of them (so that no request is
 * left running after the operation returns).
 *
 * @throws the most telling replica error when fewer than `required` replicas acknowledged:
 * a non-retryable one if any (the input is wrong), else the first.
 */
export async function writeToShard(
  shard: Shard,
  required: number,
  operation: string,
  deadline: Deadline,
  call: (replica: Replica) => Promise<void>,
): Promise<ShardWriteOutcome> {
  const outcomes = await Promise.allSettled(
    shard.replicas.map((replica) => deadline.race(call(replica))),
  );
  const acknowledged: Replica[] = [];
  const failed: { replica: Replica; error: VecmeshError }[] = [];
  outcomes.forEach((outcome, i) => {
    const replica = shard.replicas[i] as Replica;
    if (outcome.status === 'fulfilled') acknowledged.push(replica);
    else failed.push({ replica, error: tagError(outcome.reason, replica, operation, deadline) });
  });
  if (acknowledged.length < required) {
    const worst = failed.find((f) => !f.error.retryable) ?? failed[0];
    if (worst === undefined) throw new BackendError(`\`${operation}\`: shard has no replicas`);
    throw worst.error;
  }
  return { acknowledged, failed };
}

/**
 * Small helpers for calling replicas: errors tagged with where they happened, and how many
 * acknowledgements a consistency level needs.
 *
 * @module
 */
import { CollectionNotFoundError, VecmeshError, type ErrorMeta } from '../core/errors.js';
import { toVecmeshError } from '../core/native-errors.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Replica } from '../backends/backend-topology.js';
import type { WriteConsistency } from './replication-options.js';

/**
 * Turns whatever a replica threw into a `VecmeshError` carrying the replica's coordinates. A
 * missing collection is reported under the name the caller used (see {@link logicalNotFound}).
 *
 * @example
 * ```ts
 * throw tagError(err, replica, 'search', deadline, attempt);
 * ```
 */
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
      : toVecmeshError(error, `${replica.backend.kind} backend`);
  const meta: ErrorMeta = {
    operation,
    cluster: replica.cluster,
    shard: replica.shard,
    replica: replica.id,
    backend: `${replica.backend.kind} ${replica.backend.endpoint}`,
    ...(attempt === undefined ? {} : { attempt }),
  };
  const restated = logicalNotFound(base, replica, meta);
  return restated ?? base.withMeta(meta);
}

/**
 * A backend names the collection it was asked for: with a replica `namespace`, the physical
 * `s0__docs`, which the caller never wrote. This restates its `CollectionNotFoundError` as
 * `collection \`docs\` does not exist on replica \`c/s0/r0\` (...)`, with `meta.collection` the
 * logical name and the backend's error as `cause`. Errors already tagged (they carry
 * `meta.replica`) and errors without `meta.collection` are left as they are.
 */
function logicalNotFound(
  error: VecmeshError,
  replica: Replica,
  meta: ErrorMeta,
): CollectionNotFoundError | undefined {
  const physical = error.meta.collection;
  if (!(error instanceof CollectionNotFoundError) || physical === undefined) return undefined;
  if (error.meta.replica !== undefined) return undefined;
  const prefix = replica.namespace === undefined ? '' : `${replica.namespace}__`;
  const logical = physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
  const server = `${replica.backend.kind} ${replica.backend.endpoint}`;
  const detail = logical === physical ? server : `${server} has no collection \`${physical}\``;
  return new CollectionNotFoundError(
    `collection \`${logical}\` does not exist on replica \`${replica.id}\` (${detail})`,
    { cause: error, meta: { ...meta, ...error.meta, collection: logical } },
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
    default:
      // A number was checked against the smallest shard at createMesh.
      return Math.min(consistency, replicaCount);
  }
}

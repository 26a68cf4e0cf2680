/**
 * Small helpers for calling replicas: errors tagged with where they happened, and how many
 * acknowledgements a consistency level needs.
 *
 * @module
 */
import { VecmeshError } from '../core/errors.js';
import { toVecmeshError } from '../resilience/classify.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Replica } from '../topology/topology.js';
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
      : toVecmeshError(error, `${replica.backend.kind} backend`);
  return base.withMeta({
    operation,
    cluster: replica.cluster,
    shard: replica.shard,
    replica: replica.id,
    backend: `${replica.backend.kind} ${replica.backend.endpoint}`,
    ...(attempt === undefined ? {} : { attempt }),
  });
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

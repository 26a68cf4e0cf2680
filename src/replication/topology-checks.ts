/**
 * Checks of a topology that only the mesh can make: endpoints shared by two replicas, and a
 * numeric write consistency that a shard cannot reach.
 *
 * @module
 */
import { InvalidTopologyError } from '../core/errors.js';
import type { Topology } from '../backends/backend-topology.js';
import type { WriteConsistency } from './replication-options.js';

/**
 * Two replicas on the same endpoint and namespace would write the same physical collection: two
 * shards would see each other's points, two replicas of one shard would be one copy counted
 * twice. Refuse such a topology rather than corrupt counts, results and consistency.
 *
 * @throws {@link InvalidTopologyError} naming both replicas.
 */
export function rejectSharedEndpoints(topology: Topology): void {
  const owner = new Map<string, string>();
  for (const replica of topology.replicas) {
    const namespace = replica.namespace === undefined ? '' : ` namespace ${replica.namespace}`;
    const endpoint = `${replica.backend.kind} ${replica.backend.endpoint}${namespace}`;
    const seen = owner.get(endpoint);
    if (seen !== undefined) {
      throw new InvalidTopologyError(
        `backend ${endpoint} is used by replica \`${seen}\` and replica \`${replica.id}\`; give each replica its own endpoint or namespace`,
      );
    }
    owner.set(endpoint, replica.id);
  }
}

/**
 * A numeric write consistency must be reachable in every shard.
 *
 * @throws {@link InvalidTopologyError} naming the smallest shard.
 */
export function checkConsistency(consistency: WriteConsistency, topology: Topology): void {
  if (typeof consistency !== 'number') return;
  for (const cluster of topology.clusters) {
    for (const shard of cluster.shards) {
      if (shard.replicas.length < consistency) {
        throw new InvalidTopologyError(
          `\`replication.writeConsistency\` is ${consistency}, but shard \`${shard.id}\` has only ${shard.replicas.length} replica(s)`,
        );
      }
    }
  }
}

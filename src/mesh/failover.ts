/**
 * Cluster failover for reads that must be complete (`get`, `count`): try the clusters in read
 * order, move to the next one when a shard cannot answer, and report the move.
 *
 * @module
 */
import { ShardUnavailableError } from '../core/errors.js';
import type { Deadline } from '../resilience/deadline.js';
import type { Cluster } from '../backends/backend-topology.js';
import type { MeshContext } from './context.js';

/**
 * Runs `read` on the first cluster of the read order; when it fails with
 * {@link ShardUnavailableError}, on the next one, and so on.
 *
 * @throws the last cluster's error, any non-retryable error at once, or the deadline's.
 */
export async function readWithFailover<T>(
  ctx: MeshContext,
  operation: string,
  deadline: Deadline,
  read: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  const clusters = ctx.readClusters();
  for (let i = 0; ; i++) {
    const cluster = clusters[i] as Cluster;
    try {
      return await read(cluster);
    } catch (error) {
      const next = clusters[i + 1];
      if (!(error instanceof ShardUnavailableError) || next === undefined) throw error;
      deadline.throwIfAborted();
      ctx.events.emit('failover', {
        operation,
        from: cluster.name,
        to: next.name,
        reason: error.message,
      });
    }
  }
}

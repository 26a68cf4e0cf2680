/**
 * Repair of a whole topology: every shard in turn (see `repairShard`), with the `repair` event per
 * shard and the needs-repair marks of its replicas cleared once it has converged.
 *
 * @module
 */
import type { MeshEventEmitter } from '../core/events.js';
import { resolveRepairOptions, type RepairOptions } from '../core/maintenance-options.js';
import type { Topology } from '../backends/backend-topology.js';
import type { HintManager } from './hint-manager.js';
import { repairShard, type ShardRepairReport } from './repair.js';
import type { ReplicaRuntimes } from './replica-io.js';

/**
 * Repairs `collection` on every shard of `topology`, one shard at a time.
 *
 * @returns One report per shard, in topology order.
 * @throws the first shard's error (a replica that cannot be scanned, read or written fails its
 *   shard; the shards after it are not repaired); `InvalidOptionError` for a bad option, before
 *   any shard is repaired.
 * @example
 * ```ts
 * const reports = await repairTopology(registry, hints, events, topology, 'docs');
 * ```
 */
export async function repairTopology(
  runtimes: ReplicaRuntimes,
  hints: HintManager,
  events: MeshEventEmitter,
  topology: Topology,
  collection: string,
  options: RepairOptions = {},
): Promise<ShardRepairReport[]> {
  // Checked once, before the first shard is touched.
  const resolved = resolveRepairOptions(options);
  const reports: ShardRepairReport[] = [];
  for (const cluster of topology.clusters) {
    for (const shard of cluster.shards) {
      const report = await repairShard(runtimes, shard, collection, resolved);
      reports.push(report);
      const copied = report.replicas.reduce((sum, r) => sum + r.copied, 0);
      events.emit('repair', { cluster: cluster.name, shard: shard.name, copied });
      for (const replica of shard.replicas) {
        if (hints.store.needsRepair(replica.id)) await hints.store.clearNeedsRepair(replica.id);
      }
    }
  }
  return reports;
}

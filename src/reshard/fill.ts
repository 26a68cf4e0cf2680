/**
 * Filling an added replica: copy its shard from a kept replica by id scan, batched `get` and
 * batched `upsert`, each batch inside the copy gate so that it never overwrites a newer live
 * write (the filler already receives every live write of its shard).
 *
 * @module
 */
import { AbortedError } from '../core/errors.js';
import { copyBatch, scanIds, upsertTo } from '../replication/replica-io.js';
import type { Replica, Shard } from '../backends/backend-topology.js';
import type { TopologyHost } from './host.js';
import type { CopyGate } from './copy-gate.js';
import { caughtUpReplica } from './copy-source.js';

/** One shard to fill: where to copy from and to. */
export interface FillTask {
  /** The shard (as in the topology in force). */
  readonly shard: Shard;
  /** Kept replicas to copy from, best first. */
  readonly sources: readonly Replica[];
  /** Replicas being filled. */
  readonly targets: readonly Replica[];
}

/**
 * Copies every point of every collection of each task's shard to its targets.
 *
 * @returns Points written to targets (counted once per target).
 * @throws the first backend error (tagged with the replica), or `AbortedError` when `signal`
 *   aborts (checked between batches).
 */
export async function fillReplicas(
  host: TopologyHost,
  gate: CopyGate,
  tasks: readonly FillTask[],
  collections: readonly string[],
  batchSize: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  let filled = 0;
  for (const task of tasks) {
    if (task.sources.length === 0) continue; // diffReplicas keeps at least one per shard
    const shard = task.shard;
    // The scan must list every point written before the fill began: a caught-up replica.
    const scanned = await caughtUpReplica(host, task.sources, shard);
    const limit = Math.min(
      batchSize,
      ...task.targets.map((t) => t.backend.capabilities.maxPointsPerRequest),
    );
    for (const collection of collections) {
      const write = upsertTo(host.registry, task.targets, collection, 'fill', signal);
      let copied = 0;
      for await (const page of scanIds(host.registry, scanned, collection, { limit, signal })) {
        if (signal?.aborted === true) {
          throw new AbortedError(`the fill of shard \`${shard.id}\` was aborted`, {
            cause: signal.reason,
            meta: { operation: 'updateTopology', collection },
          });
        }
        if (page.ids.length === 0) continue;
        const written = await copyBatch(host.registry, {
          collection,
          ids: page.ids,
          gate,
          // Inside the gate no live write on these ids is in flight, so a caught-up replica
          // holds the newest value of each.
          source: () => caughtUpReplica(host, task.sources, shard, scanned),
          write,
          signal,
          operation: 'fill',
        });
        copied += written;
        filled += written * task.targets.length;
        for (const target of task.targets) {
          host.events.emit('fillProgress', { replica: target.id, collection, copied });
        }
      }
    }
  }
  return filled;
}

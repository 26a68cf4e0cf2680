/**
 * Filling an added replica: copy its shard from a kept replica by id scan, batched `get` and
 * batched `upsert`, each batch inside the copy gate so that it never overwrites a newer live
 * write (the filler already receives every live write of its shard).
 *
 * @module
 */
import { AbortedError } from '../core/errors.js';
import { idKey } from '../core/ids.js';
import { physicalCollectionName, type Replica } from '../topology/topology.js';
import { call, scanPage, type TopologyHost } from './host.js';
import type { CopyGate } from './copy-gate.js';
import { caughtUpReplica } from './copy-source.js';

/** One shard to fill: where to copy from and to. */
export interface FillTask {
  /** `cluster/shard`. */
  readonly shard: string;
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
  const options = signal === undefined ? {} : { signal };
  let filled = 0;
  for (const task of tasks) {
    const first = task.sources[0];
    if (first === undefined) continue; // diffReplicas keeps at least one per shard
    const shard = { cluster: first.cluster, name: first.shard };
    // The scan must list every point written before the fill began: a caught-up replica.
    const scanned = await caughtUpReplica(host, task.sources, shard);
    const limit = Math.min(
      batchSize,
      ...task.targets.map((t) => t.backend.capabilities.maxPointsPerRequest),
    );
    for (const collection of collections) {
      let cursor: string | undefined;
      let copied = 0;
      do {
        if (signal?.aborted === true) {
          throw new AbortedError(`the fill of shard \`${task.shard}\` was aborted`, {
            cause: signal.reason,
            meta: { operation: 'updateTopology', collection },
          });
        }
        const page = await scanPage(scanned, collection, cursor, limit, signal);
        cursor = page.nextCursor;
        if (page.ids.length === 0) continue;
        const ids = page.ids;
        await gate.exclusive(
          ids.map((id) => idKey(id)),
          async () => {
            // Inside the gate: no live write on these ids is in flight, so a caught-up replica
            // holds the newest value of each.
            const source = await caughtUpReplica(host, task.sources, shard, scanned);
            const points = await call(source, 'fill.get', () =>
              source.backend.get(
                physicalCollectionName(collection, source),
                ids,
                { includeVector: true },
                options,
              ),
            );
            // Deleted since the scan: nothing to copy.
            const writable = points.flatMap((p) =>
              p.vector === undefined ? [] : [{ id: p.id, vector: p.vector, payload: p.payload }],
            );
            if (writable.length === 0) return;
            await Promise.all(
              task.targets.map((target) =>
                call(target, 'fill.upsert', () =>
                  host.registry
                    .runtime(target)
                    .call(() =>
                      target.backend.upsert(
                        physicalCollectionName(collection, target),
                        writable,
                        options,
                      ),
                    ),
                ),
              ),
            );
            copied += writable.length;
            filled += writable.length * task.targets.length;
          },
        );
        for (const target of task.targets) {
          host.events.emit('fillProgress', { replica: target.id, collection, copied });
        }
      } while (cursor !== undefined);
    }
  }
  return filled;
}
